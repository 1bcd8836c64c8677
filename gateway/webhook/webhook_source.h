#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>

#include "http/route_guard.h"
#include "plugin/log_throttle.h"
#include "plugin/plugin.h"
#include "webhook/tcp_push_listener.h"
#include "webhook/webhook_conversion.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr {

struct LocalZone;

// The `time_zone` key of an adapter whose payloads carry zone-less local times, so that every
// vendor accepts the same spellings and reports a bad one alike; `fallback` stands after a problem.
LocalZone readTimeZone(ConfigReader& config, const std::string& fallback = "UTC");

// The vendor half of a push source: a pure converter and the vendor's reply contract. The route,
// authentication, allowlist, body limit, idempotency, spooling, metrics and health are the
// WebhookSource's, the same for every vendor.
class WebhookAdapter {
 public:
  virtual ~WebhookAdapter() = default;
  virtual std::string defaultPath() const = 0;
  virtual std::string defaultAuth() const { return "basic"; }
  // True when the route is the prefix `path`/ (every path below it) instead of `path` itself: a
  // vendor that posts to fixed sibling paths (Dahua: /NotificationInfo/TollgateInfo and
  // /NotificationInfo/KeepAlive) gets one route, and convert() tells the posts apart by
  // WebhookRequest::path.
  virtual bool routesSubpaths() const { return false; }
  // Reads the adapter's own keys (time_zone, ...); problems go to the reader.
  virtual void configure(ConfigReader& config) {}
  virtual void describe(std::ostream& out) const {}
  // Payload → reads. Pure: no I/O, no clock (the request carries receivedAt).
  virtual Conversion convert(const WebhookRequest& request) const = 0;

  // The JSON member that tells the sender whether its post was taken: {"<key>":true} once it
  // is stored, {"<key>":false,"error":{...}} with every refusal. 2N's "success" by default;
  // Dahua resends a notification until it reads "Result": true.
  virtual std::string resultKey() const { return "success"; }
  // True for vendors that can also push their JSON over raw TCP (tcp_listen): AXIS ALPV's TCP
  // mode, Vaxtor's TCP output. The same convert() takes each object, as if posted.
  virtual bool acceptsTcp() const { return false; }
};

// A push source on the shared HTTP server. Keys (plugin.<id>.*), besides RouteGuard's:
//   path, max_body_bytes, access_point = 0 | 1 | direction, heartbeat_timeout_s, and for
//   adapters that accept TCP: tcp_listen = host:port (needs allow_from), tcp_idle_timeout_s
// Each read of a payload is stored before the sender gets its success; a read whose
// (source, vendor event id) is already stored is a duplicate and makes no second event.
class WebhookSource : public Source {
 public:
  explicit WebhookSource(std::unique_ptr<WebhookAdapter> adapter);

  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  Health health() const override;

  const WebhookAdapter& adapter() const { return *adapter_; }
  // The registered path (with the secret for auth = secret_path); for tests.
  std::string routePath() const { return guard_.routePath(path_); }
  // The bound port of tcp_listen (the kernel's pick for port 0); 0 without it.
  int tcpPort() const { return tcp_ ? tcp_->port() : 0; }

 private:
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  void handleChecked(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response);
  // What became of a payload, however it came (HTTP post or TCP object).
  struct Outcome {
    enum class Kind { Taken, Refused, NotStored };
    Kind kind = Kind::Taken;
    InputError error;  // for Refused and NotStored
  };
  Outcome process(const WebhookRequest& webhook, const std::string& peer);
  Outcome ingest(Conversion& conversion, const std::string& peer);
  // A raw TCP object (tcp_listen): processed like a post; false closes the connection.
  bool takeTcpObject(std::string object, const std::string& peer);
  void configureTcp(ConfigReader& config);
  // Counts and logs (throttled) a refusal; `status` is the HTTP status or "tcp".
  void reject(const InputError& error, const std::string& peer, const std::string& status);
  void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType,
              const std::string& body);
  // The refusal in the vendor's reply shape (WebhookAdapter::resultKey).
  std::string errorBody(const InputError& error) const;
  void refuse(Poco::Net::HTTPServerResponse& response, int status, const InputError& error,
              const std::string& peer);
  void count(const char* metric, const char* help, const std::string& label,
             const std::string& value);

  std::unique_ptr<WebhookAdapter> adapter_;
  PluginContext* ctx_ = nullptr;
  RouteGuard guard_;
  std::string path_;
  std::size_t maxBodyBytes_ = 8u << 20;
  std::string accessPoint_ = "0";
  long long heartbeatTimeoutS_ = 0;
  bool configured_ = false;
  bool started_ = false;
  LogThrottle throttle_;
  std::string tcpListen_;  // host:port, empty: no TCP listener
  TcpPushListener::Options tcpOptions_;
  std::unique_ptr<TcpPushListener> tcp_;

  std::chrono::steady_clock::time_point startedAt_{};
  // Steady-clock ticks of the last heartbeat / stored read; 0 = none yet.
  std::atomic<std::int64_t> lastHeartbeat_{0};
  std::atomic<std::int64_t> lastRead_{0};
};

}  // namespace lpr
