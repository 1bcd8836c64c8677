#include "http/http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include "http/http_router.h"
#include "http/http_util.h"
#include "metrics/metrics.h"

namespace lpr {

namespace {

constexpr Poco::Timestamp::TimeDiff kStopGraceUs = 3 * 1000 * 1000;

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(HttpRouter& router, Metrics& metrics,
          const std::function<std::pair<bool, std::string>()>& health)
      : router_(router), metrics_(metrics), health_(health) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const std::string path = Poco::URI(request.getURI()).getPath();
    try {
      if (path == "/healthz" && request.getMethod() == "GET") {
        auto [healthy, body] = health_();
        sendJson(response, body,
                 healthy ? Poco::Net::HTTPResponse::HTTP_OK
                         : Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
        return;
      }
      if (path == "/metrics" && request.getMethod() == "GET") {
        response.setContentType("text/plain; version=0.0.4");
        response.send() << metrics_.renderPrometheus();
        return;
      }
      bool methodAllowed = true;
      if (router_.dispatch(request, response, methodAllowed)) return;
      metrics_.counter("lpr_http_unrouted_total", "Requests to no known route or method").inc();
      drainBody(request, response);
      if (!methodAllowed) {
        sendJson(response, R"({"error":"method not allowed"})",
                 Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
      } else {
        sendJson(response, R"({"error":"not found"})", Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      }
    } catch (const std::exception& e) {
      // A handler bug answers 500 and is counted; the server and other requests carry on.
      metrics_.counter("lpr_errors_total", "Errors by kind", {{"kind", "http_handler"}}).inc();
      if (!response.sent()) {
        sendJson(response, R"({"error":"internal error"})",
                 Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      }
    }
  }

 private:
  HttpRouter& router_;
  Metrics& metrics_;
  const std::function<std::pair<bool, std::string>()>& health_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(HttpRouter& router, Metrics& metrics,
          const std::function<std::pair<bool, std::string>()>& health)
      : router_(router), metrics_(metrics), health_(health) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(router_, metrics_, health_);
  }

 private:
  HttpRouter& router_;
  Metrics& metrics_;
  const std::function<std::pair<bool, std::string>()>& health_;
};

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, HttpRouter& router, Metrics& metrics,
                       std::function<std::pair<bool, std::string>()> health)
    : options_(std::move(options)),
      router_(router),
      metrics_(metrics),
      health_(std::move(health)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  Poco::Net::SocketAddress address(options_.address, static_cast<Poco::UInt16>(options_.port));
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (options_.tls) {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Params params;
    params.privateKeyFile = options_.keyFile;
    params.certificateFile = options_.certFile;
    params.caLocation = options_.caFile;
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = false;
    // Poco's default DHE group is 1024 bits, which OpenSSL 3 clients refuse ("dh key too small").
    params.dhUse2048Bits = true;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, context);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>(address, 64);
  }
  boundPort_ = socket->address().port();
  auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
  params->setMaxThreads(options_.maxThreads);
  params->setMaxQueued(options_.maxQueued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(options_.keepAliveTimeoutS, 0));
  server_ = std::make_unique<Poco::Net::HTTPServer>(
      Poco::makeShared<Factory>(router_, metrics_, health_), *socket, params);
  server_->start();
}

void HttpServer::stop() noexcept {
  if (!server_) return;
  try {
    // Finishes the requests in progress (their events are committed before they answer).
    server_->stopAll(false);
    // Idle keep-alive connections would hold the stop for their whole timeout; requests in
    // progress get a bounded grace period, then the remaining sockets are shut.
    Poco::Timestamp started;
    while (server_->currentConnections() > 0 && started.elapsed() < kStopGraceUs) {
      Poco::Thread::sleep(5);
    }
    if (server_->currentConnections() > 0) server_->stopAll(true);
  } catch (...) {
  }
  server_.reset();
}

}  // namespace lpr
