#include "fake_two_n_device.h"

#include <Poco/JSON/Object.h>
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
#include <Poco/StreamCopier.h>

#include <map>
#include <sstream>

namespace lpr::plugins::sink_2n::testing {

namespace {

const char* const kLpr = "/api/lpr/licenseplate";
const char* const kInfo = "/api/system/info";

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(FakeTwoNDevice& device) : device_(device) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    device_.handle(request, response);
  }

 private:
  FakeTwoNDevice& device_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(FakeTwoNDevice& device) : device_(device) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(device_);
  }

 private:
  FakeTwoNDevice& device_;
};

std::string pathOf(const std::string& uri) { return uri.substr(0, uri.find('?')); }

}  // namespace

FakeReply FakeReply::success() { return FakeReply{}; }

FakeReply FakeReply::error(int code, const std::string& param, int status) {
  static const std::map<int, std::string> kText{
      {1, "function is not supported"},     {2, "invalid request path"},
      {3, "invalid request method"},        {4, "function is disabled"},
      {5, "function is licensed"},          {7, "invalid connection type"},
      {8, "invalid authentication method"}, {9, "authorisation required"},
      {10, "insufficient user privileges"}, {11, "missing mandatory parameter"},
      {12, "invalid parameter value"},      {13, "parameter data too big"},
      {14, "unspecified processing error"}};
  Poco::JSON::Object error(Poco::JSON_PRESERVE_KEY_ORDER);
  error.set("code", code);
  if (!param.empty()) error.set("param", param);
  auto text = kText.find(code);
  error.set("description", text == kText.end() ? std::string("error") : text->second);
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("success", false);
  body.set("error", error);
  std::ostringstream out;
  body.stringify(out);
  FakeReply reply;
  reply.status = status;
  reply.body = out.str();
  return reply;
}

FakeTwoNDevice::FakeTwoNDevice(FakeDeviceOptions options)
    : options_(std::move(options)), probeReply_(FakeReply::error(11, "lprUuid")) {
  Poco::JSON::Object result(Poco::JSON_PRESERVE_KEY_ORDER);
  result.set("variant", "2N IP Verso");
  result.set("serialNumber", "54-1234-5678");
  result.set("hwVersion", "535v1");
  result.set("swVersion", options_.swVersion);
  result.set("buildType", "release");
  result.set("deviceName", options_.deviceName);
  Poco::JSON::Object info(Poco::JSON_PRESERVE_KEY_ORDER);
  info.set("success", true);
  info.set("result", result);
  std::ostringstream text;
  info.stringify(text);
  infoReply_.body = text.str();

  auth_ = std::make_unique<HttpAuthenticator>(
      options_.auth, HttpCredentials{options_.username, options_.password}, "HTTP API");
  Poco::Net::SocketAddress address(options_.bindAddress, 0);
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (options_.tls) {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options_.keyFile,
                               options_.certFile, "", Poco::Net::Context::VERIFY_NONE);
    socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, context);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>(address, 64);
  }
  port_ = socket->address().port();
  auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
  params->setMaxThreads(8);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(
      static_cast<Poco::Timespan::TimeDiff>(options_.keepAliveTimeout.count()) * 1000));
  server_ =
      std::make_unique<Poco::Net::HTTPServer>(Poco::makeShared<Factory>(*this), *socket, params);
  server_->start();
}

FakeTwoNDevice::~FakeTwoNDevice() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  server_->stopAll(true);
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return active_ == 0; });
  lock.unlock();
  server_.reset();
  // No uninitializeSSL(): it would shut the process-wide SSLManager down under other servers.
}

void FakeTwoNDevice::pushReply(FakeReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  pushed_.push_back(std::move(reply));
}

void FakeTwoNDevice::setDefaultReply(FakeReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  defaultReply_ = std::move(reply);
}

void FakeTwoNDevice::setProbeReply(FakeReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  probeReply_ = std::move(reply);
}

void FakeTwoNDevice::setInfoReply(FakeReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  infoReply_ = std::move(reply);
}

void FakeTwoNDevice::staleNextNonce() {
  std::lock_guard<std::mutex> lock(mutex_);
  staleNext_ = true;
}

std::vector<RecordedRequest> FakeTwoNDevice::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::vector<RecordedRequest> FakeTwoNDevice::lprPosts() const {
  std::vector<RecordedRequest> out;
  for (auto& r : requests()) {
    if (r.authenticated && r.method == "POST" && pathOf(r.uri) == kLpr &&
        r.body.find("\"lprUuid\"") != std::string::npos) {
      out.push_back(r);
    }
  }
  return out;
}

std::size_t FakeTwoNDevice::challenges() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return challenges_;
}

FakeReply FakeTwoNDevice::nextReply(const std::string& uri, const std::string& body) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string path = pathOf(uri);
  if (path == kInfo) return infoReply_;
  if (path == kLpr) {
    if (body.find("\"lprUuid\"") == std::string::npos) return probeReply_;
    if (!pushed_.empty()) {
      FakeReply reply = pushed_.front();
      pushed_.pop_front();
      return reply;
    }
    return defaultReply_;
  }
  return FakeReply::error(2);
}

void FakeTwoNDevice::wait(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return;
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, delay, [&] { return stopping_; });
}

void FakeTwoNDevice::handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++active_;
  }
  RecordedRequest record;
  record.method = request.getMethod();
  record.uri = request.getURI();
  record.authorization = request.get("Authorization", "");
  record.contentType = request.getContentType();
  Poco::StreamCopier::copyToString(request.stream(), record.body);

  bool stale = false;
  HttpAuthenticator::Result result = HttpAuthenticator::Result::Ok;
  if (options_.auth != HttpAuthMode::None) result = auth_->check(request);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (result == HttpAuthenticator::Result::Ok && staleNext_) {
      staleNext_ = false;
      stale = true;
    }
    record.authenticated = result == HttpAuthenticator::Result::Ok && !stale;
    requests_.push_back(record);
  }
  try {
    response.setContentType("application/json");
    if (!record.authenticated) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++challenges_;
      }
      auth_->challenge(response, stale || result == HttpAuthenticator::Result::Stale);
      response.send()
          << R"({"success":false,"error":{"code":9,"description":"authorisation required"}})";
    } else {
      FakeReply reply = nextReply(record.uri, record.body);
      wait(reply.delay);
      response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
      response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
      response.send() << reply.body;
    }
  } catch (...) {
    // The client may be gone (timeouts); nothing to do.
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --active_;
  }
  changed_.notify_all();
}

}  // namespace lpr::plugins::sink_2n::testing
