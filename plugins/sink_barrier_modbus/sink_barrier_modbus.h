#pragma once

#include <map>
#include <memory>
#include <ostream>

#include "gate/barrier_sink.h"
#include "modbus_link.h"

namespace lpr::plugins::sink_barrier_modbus {

extern const PluginDescriptor kDescriptor;

// Opens barriers over Modbus TCP or RTU: a granted decision pulses the access point's coil (or
// writes a holding register's on/off values). The barrier rules (age, no replay, interlock,
// pulse) are BarrierSink's; this class reads the transport keys and builds the relays.
class SinkBarrierModbus : public BarrierSink {
 public:
  explicit SinkBarrierModbus(BarrierController::WallClock now = {});
  ~SinkBarrierModbus() override;

  void configure(PluginContext& ctx) override;
  Health health() const override;

  const LinkSettings& link() const { return settings_; }
  const std::map<int, RelaySpec>& relays() const { return specs_; }

 protected:
  StartResult startTransport() override;
  void stopTransport() noexcept override;
  void describeTransport(std::ostream& out) const override;

 private:
  BarrierController::WallClock now_;
  LinkSettings settings_;
  std::map<int, RelaySpec> specs_;
  std::shared_ptr<ModbusLink> link_;
};

}  // namespace lpr::plugins::sink_barrier_modbus
