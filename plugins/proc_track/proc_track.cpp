#include "proc_track.h"

#include <Poco/Logger.h>

#include "metrics/metrics.h"

namespace lpr::plugins::proc_track {

const PluginDescriptor kDescriptor{
    "proc_track", PluginKind::Processor,
    "One vehicle, one decision: repeats of a vehicle's read (vendor vehicle id or a similar "
    "plate from the same source) and re-reads within a cooldown are dropped before deciding; "
    "better reads of it go on as updates that never open again",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<ProcTrack>(); }};

ProcTrack::ProcTrack(SteadyNow now) : now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
}

void ProcTrack::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  options_.window = std::chrono::milliseconds(config.getInt("window_ms", 10000, 100, 3600000));
  options_.cooldown = std::chrono::seconds(config.getInt("cooldown_s", 30, 0, 86400));
  options_.maxEdits = static_cast<int>(config.getInt("max_edits", 1, 0, 3));
  options_.minConfidence = config.getDouble("min_confidence", 0.0, 0.0, 1.0);
  options_.maxUpdates = static_cast<int>(config.getInt("max_updates", 3, 0, 100));
  tracker_ = std::make_unique<VehicleTracker>(options_);
}

void ProcTrack::describe(std::ostream& out) const {
  out << "window_ms=" << options_.window.count() << " cooldown_s="
      << std::chrono::duration_cast<std::chrono::seconds>(options_.cooldown).count()
      << " max_edits=" << options_.maxEdits << " min_confidence=" << options_.minConfidence
      << " max_updates=" << options_.maxUpdates;
}

Verdict ProcTrack::process(PlateEvent& event) {
  const TrackDecision decision = tracker_->observe(event, now_());
  if (decision.kind == TrackDecision::Kind::First) return Verdict::pass();
  if (decision.kind == TrackDecision::Kind::Refinement) {
    event.updateOf = decision.firstEventId;
    ctx_->metrics()
        .counter("lpr_track_refinements_total",
                 "Later, better reads of a vehicle passed on as updates of its first event",
                 {{"plugin", ctx_->instanceId()}})
        .inc();
    ctx_->logger().debug("read plate=%s from %s refines event %s", ctx_->maskPlate(event.plate),
                         event.sourceId, decision.firstEventId);
    return Verdict::pass();
  }
  const std::string reason = toString(decision.kind);
  ctx_->metrics()
      .counter("lpr_track_dropped_total",
               "Reads not decided again: repeats of a vehicle already passing, re-reads within "
               "the cooldown, reads below min_confidence",
               {{"plugin", ctx_->instanceId()}, {"reason", reason}})
      .inc();
  std::string why = reason;
  if (!decision.firstEventId.empty()) why += " of event " + decision.firstEventId;
  ctx_->logger().debug("read plate=%s from %s dropped: %s", ctx_->maskPlate(event.plate),
                       event.sourceId, why);
  return Verdict::drop(why);
}

}  // namespace lpr::plugins::proc_track
