#pragma once

#include <functional>
#include <ostream>

#include "plugin/plugin.h"
#include "vehicle_tracker.h"

namespace lpr::plugins::proc_track {

extern const PluginDescriptor kDescriptor;

// One vehicle → one decision: lets the first sure read of each vehicle pass on to be decided and
// drops the repeats (VehicleTracker). The camera still gets its success answer; the drops are
// counted by reason.
class ProcTrack : public Processor {
 public:
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;
  explicit ProcTrack(SteadyNow now = {});

  void configure(PluginContext& ctx) override;
  void describe(std::ostream& out) const override;
  Verdict process(PlateEvent& event) override;

  const TrackerOptions& options() const { return options_; }

 private:
  PluginContext* ctx_ = nullptr;
  SteadyNow now_;
  TrackerOptions options_;
  std::unique_ptr<VehicleTracker> tracker_;
};

}  // namespace lpr::plugins::proc_track
