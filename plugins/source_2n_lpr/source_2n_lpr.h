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

// An IPv4/IPv6 network from `allow_from` ("10.0.0.7", "10.0.0.0/24", "fd00::/8").
struct IpNetwork {
  Poco::Net::IPAddress address;  // already masked
  Poco::Net::IPAddress mask;
  bool contains(const Poco::Net::IPAddress& ip) const;
};
std::optional<IpNetwork> parseIpNetwork(const std::string& text);

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
  bool addressAllowed(const Poco::Net::IPAddress& address) const;
  void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& body);
  void rejectInput(const std::string& kind);
  // Logs at warning, at most once a minute per key, so a misconfigured camera retrying every
  // second cannot flood the journal; the counters carry the totals.
  void warnThrottled(const std::string& key, const std::string& message);

  PluginContext* ctx_ = nullptr;
  std::string path_ = "/api/lpr/licenseplate";
  HttpAuthMode authMode_ = HttpAuthMode::Digest;
  std::string username_;
  bool passwordSet_ = false;
  std::string realm_ = "HTTP API";
  long long nonceLifetimeS_ = 300;
  std::size_t maxBodyBytes_ = 400000;
  std::string accessPointSetting_ = "request";
  std::vector<std::string> allowFromText_;
  std::vector<IpNetwork> allowFrom_;
  TwoNLprOptions options_;
  std::unique_ptr<HttpAuthenticator> auth_;
  bool started_ = false;

  std::mutex throttleMutex_;
  struct Throttle {
    std::chrono::steady_clock::time_point last{};
    std::uint64_t suppressed = 0;
  };
  std::map<std::string, Throttle> throttle_;
};

}  // namespace lpr::plugins::source_2n_lpr
