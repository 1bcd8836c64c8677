#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "gate/barrier_sink.h"

struct gpiod_chip;

namespace lpr::plugins::sink_barrier_gpio {

extern const PluginDescriptor kDescriptor;

struct LineSpec {
  int line = 0;  // offset on the chip
  bool activeLow = false;
};

class GpioRelay;

// Opens barriers through GPIO output lines (libgpiod v1, the character device): a granted
// decision drives the access point's line active for pulse_ms. The barrier rules are
// BarrierSink's; this class owns the chip and the line requests.
class SinkBarrierGpio : public BarrierSink {
 public:
  explicit SinkBarrierGpio(BarrierController::WallClock now = {});
  ~SinkBarrierGpio() override;

  void configure(PluginContext& ctx) override;
  Health health() const override;

  const std::string& chip() const { return chip_; }
  const std::map<int, LineSpec>& lines() const { return specs_; }

 protected:
  // A chip that cannot be opened is RetryLater (a USB GPIO expander plugged in late, a driver
  // still loading); a line the chip does not have is Fatal (a configuration error).
  StartResult startTransport() override;
  void stopTransport() noexcept override;
  void describeTransport(std::ostream& out) const override;

 private:
  BarrierController::WallClock now_;
  std::string chip_ = "gpiochip0";
  std::map<int, LineSpec> specs_;
  std::map<int, std::shared_ptr<GpioRelay>> relays_;
  gpiod_chip* handle_ = nullptr;
  std::string lastError_;
};

}  // namespace lpr::plugins::sink_barrier_gpio
