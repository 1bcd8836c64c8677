#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "gate/barrier_controller.h"
#include "gate/gate_control.h"
#include "plugin/plugin.h"

namespace lpr {

class Counter;
class Histogram;

// What the barrier sinks (sink_barrier_modbus, sink_barrier_gpio) share: the keys common to
// both (pulse_ms, max_age_ms, interlock_wait_ms, interlock.<n>, sources, ap.<n>.pulse_ms),
// the BarrierController, the mapping of its outcomes to deliveries, metrics and log lines, and
// the manual opening offered through GateControl. A transport subclass builds one RelayOutput
// per access point and calls configureBarrier() from configure().
//
// Metrics: lpr_barrier_pulses_total{plugin,access_point,trigger=decision|manual},
// lpr_barrier_skipped_total{plugin,reason}, lpr_barrier_errors_total{plugin},
// lpr_barrier_latency_seconds{plugin} (read received → "on" written).
class BarrierSink : public Sink {
 public:
  ~BarrierSink() override;

  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  Delivery deliver(const PlateEvent& event) override;

  BarrierController* controller() { return controller_.get(); }
  const BarrierOptions& barrierOptions() const { return options_; }

 protected:
  // The access point numbers configured as `ap.<n>.*` (n = 0..255), ascending; records a
  // problem for a child of `ap` that is not a number. At least one is required.
  static std::vector<int> configuredAccessPoints(ConfigReader& config);
  // Reads the common keys, builds the controller and registers the manual opener.
  void configureBarrier(PluginContext& ctx, std::map<int, BarrierController::Relay> relays,
                        BarrierController::WallClock now = {});
  // Connects/opens the transport; called by start() before the controller starts.
  virtual StartResult startTransport() = 0;
  virtual void stopTransport() noexcept = 0;
  virtual void describeTransport(std::ostream& out) const = 0;
  // lpr_barrier_skipped_total{reason} for a reason a subclass screens itself.
  void countSkipped(const std::string& reason);

  PluginContext* ctx_ = nullptr;

 private:
  OpenResult openManually(const OpenRequest& request);
  void count(BarrierOutcome outcome);

  BarrierOptions options_;
  std::unique_ptr<BarrierController> controller_;
  std::atomic<bool> started_{false};
  std::atomic<bool> beforeStartLogged_{false};
  std::mutex lifecycle_;
  Counter* errors_ = nullptr;
  Histogram* latency_ = nullptr;
};

}  // namespace lpr
