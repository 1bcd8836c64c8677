#pragma once

#include <Poco/Net/IPAddress.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "http/http_auth.h"
#include "http/route_guard.h"
#include "plugin/log_throttle.h"
#include "plugin/plugin.h"
#include "two_n_lpr_request.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr {
class Counter;
}

namespace lpr::plugins::source_2n_lpr {

extern const PluginDescriptor kDescriptor;

// The 2N-compatible POST /api/lpr/licenseplate: camera apps set up for a 2N device (AXIS ALPV
// "2N direct integration", Vaxtor VaxALPR "2N mode") post here unchanged.
class Source2nLpr : public Source {
 public:
  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  Health health() const override { return Health::ok(); }

  // The route's callbacks; public so tests can drive them without the router.
  bool claims(const Poco::Net::HTTPServerRequest& request) const;
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

 private:
  void handleChecked(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response);
  void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& body);
  void rejectInput(const std::string& kind);
  void warnThrottled(const std::string& key, const std::string& message);

  PluginContext* ctx_ = nullptr;
  std::string path_ = "/api/lpr/licenseplate";
  std::size_t maxBodyBytes_ = 400000;
  std::string accessPointSetting_ = "request";
  TwoNLprOptions options_;
  RouteGuard guard_;
  bool configured_ = false;
  bool started_ = false;

  LogThrottle throttle_;
};

}  // namespace lpr::plugins::source_2n_lpr
