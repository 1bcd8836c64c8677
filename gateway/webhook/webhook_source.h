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
};

// A push source on the shared HTTP server. Keys (plugin.<id>.*), besides RouteGuard's:
//   path, max_body_bytes, access_point = 0 | 1 | direction, heartbeat_timeout_s
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

 private:
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  void handleChecked(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response);
  void ingest(Conversion& conversion, Poco::Net::HTTPServerResponse& response,
              const std::string& peer);
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

  std::chrono::steady_clock::time_point startedAt_{};
  // Steady-clock ticks of the last heartbeat / stored read; 0 = none yet.
  std::atomic<std::int64_t> lastHeartbeat_{0};
  std::atomic<std::int64_t> lastRead_{0};
};

}  // namespace lpr
