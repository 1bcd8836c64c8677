#include "sink_barrier_2n.h"

#include <Poco/Logger.h>

#include <mutex>

#include "metrics/metrics.h"
#include "two_n_connection_config.h"

namespace lpr::plugins::sink_barrier_2n {

using sink_2n::TwoNClient;
using sink_2n::TwoNReply;

const PluginDescriptor kDescriptor{
    "sink_barrier_2n", PluginKind::Sink,
    "Opens barriers wired to a 2N device's switch: a granted decision triggers the switch over "
    "the device's HTTP API; stale grants and replays after a restart never do",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SinkBarrier2n>(); }};

// One switch of the device. "on" is the trigger (the device times the pulse itself); "off" has
// nothing to do. Requests of all switches share one client, which serialises them.
class SwitchRelay : public RelayOutput {
 public:
  explicit SwitchRelay(int number) : number_(number) {}
  void attach(std::shared_ptr<TwoNClient> client) {
    std::lock_guard lock(mutex_);
    client_ = std::move(client);
  }
  RelayWrite write(bool on) override {
    if (!on) return RelayWrite::ok();
    std::shared_ptr<TwoNClient> client;
    {
      std::lock_guard lock(mutex_);
      client = client_;
    }
    if (!client) return RelayWrite::unreachable("not started");
    TwoNReply reply =
        client->get("/api/switch/ctrl?switch=" + std::to_string(number_) + "&action=trigger");
    std::lock_guard lock(mutex_);
    if (!reply.answered()) {
      lastError_ = "2N device " + client->baseUrl() + ": " + reply.detail;
      return RelayWrite::unreachable(lastError_);
    }
    if (!reply.ok()) {
      // 14: the switch is disabled or locked; 9/10: credentials or the Switch Control privilege.
      lastError_ = "2N device " + client->baseUrl() + " switch " + std::to_string(number_) + ": " +
                   reply.summary();
      return reply.httpStatus >= 500 ? RelayWrite::unreachable(lastError_)
                                     : RelayWrite::refused(lastError_);
    }
    lastError_.clear();
    return RelayWrite::ok();
  }
  std::string describe() const override { return "2N switch " + std::to_string(number_); }
  std::string lastError() const {
    std::lock_guard lock(mutex_);
    return lastError_;
  }

 private:
  mutable std::mutex mutex_;
  int number_;
  std::shared_ptr<TwoNClient> client_;
  std::string lastError_;
};

SinkBarrier2n::SinkBarrier2n(BarrierController::WallClock now) : now_(std::move(now)) {}

SinkBarrier2n::~SinkBarrier2n() { stop(); }

void SinkBarrier2n::configure(PluginContext& ctx) {
  ConfigReader& config = ctx.config();
  client_ = sink_2n::readConnection(config, host_);
  openOnDeviceGrant_ = config.getEnum("on_device_grant", "skip", {"skip", "open"}) == "open";
  std::map<int, BarrierController::Relay> relays;
  for (int point : configuredAccessPoints(config)) {
    const std::string key = "ap." + std::to_string(point) + ".switch";
    if (!config.has(key)) {
      config.problems().add(config.fullKey(key) +
                            " is missing: the device switch (1-4) that opens access point " +
                            std::to_string(point));
    }
    const int number = static_cast<int>(config.getInt(key, 1, 1, 64));
    switches_[point] = number;
    relays_[point] = std::make_shared<SwitchRelay>(number);
    relays[point] = {relays_[point], std::nullopt};
  }
  configureBarrier(ctx, std::move(relays), now_);
}

Delivery SinkBarrier2n::deliver(const PlateEvent& event) {
  if (!openOnDeviceGrant_ && event.decision && event.decision->decidedBy == "2n") {
    countSkipped("device_decided");
    return Delivery::ok();
  }
  return BarrierSink::deliver(event);
}

StartResult SinkBarrier2n::startTransport() {
  std::shared_ptr<TwoNClient> client;
  try {
    client = std::make_shared<TwoNClient>(client_);
  } catch (const std::exception& e) {
    return StartResult::fatal(std::string("2N client: ") + e.what());
  }
  // No request here: a device that is down at boot makes grants retry until they expire, as
  // any unreachable barrier does; it must not keep the gateway from starting.
  for (auto& [point, relay] : relays_) relay->attach(client);
  return StartResult::ok();
}

void SinkBarrier2n::stopTransport() noexcept {
  for (auto& [point, relay] : relays_) relay->attach(nullptr);
}

void SinkBarrier2n::describeTransport(std::ostream& out) const {
  out << "host=" << host_ << " on_device_grant=" << (openOnDeviceGrant_ ? "open" : "skip");
  for (const auto& [point, number] : switches_) out << " ap." << point << "=switch:" << number;
}

Health SinkBarrier2n::health() const {
  for (const auto& [point, relay] : relays_) {
    const std::string error = relay->lastError();
    if (!error.empty()) return Health::unreachable(error);
  }
  return Health::ok("2N device " + host_);
}

}  // namespace lpr::plugins::sink_barrier_2n
