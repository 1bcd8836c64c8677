#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "gate/barrier_sink.h"
#include "two_n_client.h"

namespace lpr::plugins::sink_barrier_2n {

extern const PluginDescriptor kDescriptor;

class SwitchRelay;

// Opens barriers wired to a 2N device's switch: a granted decision triggers the access point's
// switch over the device's HTTP API (/api/switch/ctrl?action=trigger; the device holds it for
// its own switch-on duration). The barrier rules (max age, no replays after a restart,
// interlock, manual opening) are BarrierSink's; this class owns the HTTP client.
//
// A grant the device decided itself (decided_by = 2n) has usually opened its door already
// through the device's own LPR access rules: it is skipped unless on_device_grant = open.
class SinkBarrier2n : public BarrierSink {
 public:
  explicit SinkBarrier2n(BarrierController::WallClock now = {});
  ~SinkBarrier2n() override;

  void configure(PluginContext& ctx) override;
  Delivery deliver(const PlateEvent& event) override;
  Health health() const override;

 protected:
  StartResult startTransport() override;
  void stopTransport() noexcept override;
  void describeTransport(std::ostream& out) const override;

 private:
  BarrierController::WallClock now_;
  std::string host_;
  sink_2n::TwoNClientOptions client_;
  bool openOnDeviceGrant_ = false;
  std::map<int, int> switches_;  // access point → switch number
  std::map<int, std::shared_ptr<SwitchRelay>> relays_;
};

}  // namespace lpr::plugins::sink_barrier_2n
