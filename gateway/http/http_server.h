#pragma once

#include <functional>
#include <memory>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace lpr {

class HttpRouter;
class Metrics;

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  int port = 8080;  // 0: the kernel picks one (tests); see boundPort()
  bool tls = false;
  std::string certFile, keyFile, caFile;
  int maxThreads = 16;
  int maxQueued = 256;
  int keepAliveTimeoutS = 15;
};

// The one HTTP(S) server for every inbound route, /healthz and /metrics.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpRouter& router, Metrics& metrics,
             std::function<std::pair<bool, std::string>()> health);
  ~HttpServer();

  void start();          // throws Poco::Exception when the address cannot be bound
  void stop() noexcept;  // stops accepting, waits for requests in progress
  int boundPort() const { return boundPort_; }

 private:
  HttpServerOptions options_;
  HttpRouter& router_;
  Metrics& metrics_;
  std::function<std::pair<bool, std::string>()> health_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int boundPort_ = 0;
};

}  // namespace lpr
