#include "gate/barrier_sink.h"

#include <Poco/Logger.h>
#include <Poco/NumberParser.h>

#include <algorithm>
#include <set>

#include "metrics/metrics.h"

namespace lpr {
namespace {

std::string joinInts(const std::vector<int>& values, const char* separator) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : separator) + std::to_string(v);
  return out;
}

}  // namespace

BarrierSink::~BarrierSink() = default;

std::vector<int> BarrierSink::configuredAccessPoints(ConfigReader& config) {
  std::set<int> points;
  for (const auto& child : config.childKeys("ap")) {
    int n = 0;
    // Other children are left unread, so reportUnknownKeys() names them.
    if (Poco::NumberParser::tryParse(child, n) && n >= 0 && n <= 255 &&
        std::to_string(n) == child) {
      points.insert(n);
    }
  }
  if (points.empty()) {
    config.problems().add(config.fullKey("ap") +
                          ".<n>.* is missing: map at least one access point (n = 0 entry, 1 exit)");
  }
  return {points.begin(), points.end()};
}

void BarrierSink::configureBarrier(PluginContext& ctx,
                                   std::map<int, BarrierController::Relay> relays,
                                   BarrierController::WallClock now) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  options_.pulse = std::chrono::milliseconds(config.getInt("pulse_ms", 800, 50, 60000));
  options_.maxAge = std::chrono::milliseconds(config.getInt("max_age_ms", 2000, 100, 600000));
  options_.interlockWait =
      std::chrono::milliseconds(config.getInt("interlock_wait_ms", 200, 0, 60000));
  options_.sources = config.getList("sources", {});
  for (auto& [point, relay] : relays) {
    const std::string key = "ap." + std::to_string(point) + ".pulse_ms";
    if (config.has(key)) {
      relay.pulse = std::chrono::milliseconds(config.getInt(key, 800, 50, 60000));
    }
  }
  for (const auto& child : config.childKeys("interlock")) {
    const std::string key = "interlock." + child;
    std::vector<int> group;
    for (const auto& item : config.getList(key, {})) {
      int n = -1;
      if (!Poco::NumberParser::tryParse(item, n) || !relays.count(n)) {
        config.problem(key, config.getString(key, ""),
                       "a list of mapped access points (ap.<n>.*), e.g. 0, 1");
        group.clear();
        break;
      }
      group.push_back(n);
    }
    if (!group.empty() && group.size() < 2) {
      config.problem(key, config.getString(key, ""), "at least two access points");
    } else if (!group.empty()) {
      options_.interlockGroups.push_back(group);
    }
  }

  const std::string& id = ctx.instanceId();
  std::vector<int> points;
  for (const auto& [point, relay] : relays) points.push_back(point);
  controller_ = std::make_unique<BarrierController>(options_, std::move(relays), std::move(now));

  Metrics& metrics = ctx.metrics();
  errors_ = &metrics.counter("lpr_barrier_errors_total",
                             "Barrier relay writes that failed (peer unreachable or refusing)",
                             {{"plugin", id}});
  latency_ = &metrics.histogram("lpr_barrier_latency_seconds",
                                "From the read's receipt to the barrier's \"on\" written",
                                {{"plugin", id}}, Metrics::latencyBoundsSeconds());
  ctx.gates().registerBarrier(id, points,
                              [this](const OpenRequest& request) { return openManually(request); });
}

StartResult BarrierSink::start() {
  std::lock_guard lock(lifecycle_);
  if (!controller_) return StartResult::fatal("start() before configure()");
  if (started_) return StartResult::ok();
  StartResult result = startTransport();
  if (result.kind != StartResult::Kind::Ok) return result;
  beforeStartLogged_ = false;
  controller_->start();
  started_ = true;
  return StartResult::ok();
}

void BarrierSink::stop() noexcept {
  std::lock_guard lock(lifecycle_);
  if (!started_) {
    stopTransport();
    return;
  }
  started_ = false;
  controller_->stop();
  stopTransport();
}

void BarrierSink::describe(std::ostream& out) const {
  describeTransport(out);
  out << " pulse_ms=" << options_.pulse.count() << " max_age_ms=" << options_.maxAge.count()
      << " interlock_wait_ms=" << options_.interlockWait.count();
  for (const auto& group : options_.interlockGroups) out << " interlock=" << joinInts(group, "+");
  if (!options_.sources.empty()) {
    out << " sources=";
    for (std::size_t i = 0; i < options_.sources.size(); ++i) {
      out << (i ? "," : "") << options_.sources[i];
    }
  }
}

void BarrierSink::count(BarrierOutcome outcome) { countSkipped(toString(outcome)); }

void BarrierSink::countSkipped(const std::string& reason) {
  ctx_->metrics()
      .counter("lpr_barrier_skipped_total",
               "Decided events that did not pulse a barrier, by reason (not_granted, update, "
               "unmapped, other_source, before_start, stale, pulsing, already_open, ...)",
               {{"plugin", ctx_->instanceId()}, {"reason", reason}})
      .inc();
}

Delivery BarrierSink::deliver(const PlateEvent& event) {
  if (!started_) return Delivery::retry("barrier not started");
  BarrierResult result = controller_->handle(event);
  Poco::Logger& log = ctx_->logger();
  const std::string plate = ctx_->maskPlate(event.plate);
  switch (result.outcome) {
    case BarrierOutcome::Pulsed: {
      ctx_->metrics()
          .counter("lpr_barrier_pulses_total", "Barrier pulses (\"on\" written), by trigger",
                   {{"plugin", ctx_->instanceId()},
                    {"access_point", std::to_string(event.accessPoint)},
                    {"trigger", "decision"}})
          .inc();
      const double latency =
          std::chrono::duration<double>(result.onAt.value_or(event.receivedAt) - event.receivedAt)
              .count();
      latency_->observe(std::max(0.0, latency));
      log.information(
          "barrier opened access_point=%d plate=\"%s\" event=%s decided_by=%s "
          "latency_ms=%d (%s)",
          event.accessPoint, plate, event.id,
          event.decision ? event.decision->decidedBy : std::string(),
          static_cast<int>(latency * 1000), result.detail);
      return Delivery::ok();
    }
    case BarrierOutcome::Stale:
      count(result.outcome);
      log.warning("stale grant dropped access_point=%d plate=\"%s\" event=%s: %s",
                  event.accessPoint, plate, event.id, result.detail);
      return Delivery::ok();
    case BarrierOutcome::BeforeStart:
      count(result.outcome);
      // A restart may re-deliver many: one warning per start, the rest at debug.
      if (!beforeStartLogged_.exchange(true)) {
        log.warning(
            "grant from before this start dropped (barrier commands are never "
            "replayed) access_point=%d event=%s; further ones are only counted",
            event.accessPoint, event.id);
      } else {
        log.debug("grant from before this start dropped event=%s", event.id);
      }
      return Delivery::ok();
    case BarrierOutcome::Pulsing:
    case BarrierOutcome::AlreadyOpen:
      count(result.outcome);
      log.information("barrier not pulsed access_point=%d plate=\"%s\" event=%s: %s",
                      event.accessPoint, plate, event.id, toString(result.outcome));
      return Delivery::ok();
    case BarrierOutcome::NotGranted:
    case BarrierOutcome::Update:
    case BarrierOutcome::Unmapped:
    case BarrierOutcome::OtherSource:
      count(result.outcome);
      log.debug("event=%s not for the barrier: %s", event.id, toString(result.outcome));
      return Delivery::ok();
    case BarrierOutcome::Unreachable:
      errors_->inc();
      return Delivery::retry("barrier unreachable: " + result.detail);
    case BarrierOutcome::Refused:
      errors_->inc();
      log.error("barrier write refused access_point=%d event=%s: %s (check the ap.%d.* keys)",
                event.accessPoint, event.id, result.detail, event.accessPoint);
      return Delivery::reject("barrier refused the write: " + result.detail);
    case BarrierOutcome::Stopping:
      return Delivery::retry("barrier stopping");
  }
  return Delivery::retry("unexpected barrier outcome");
}

OpenResult BarrierSink::openManually(const OpenRequest& request) {
  Poco::Logger& log = ctx_->logger();
  if (!started_) {
    log.warning("manual open access_point=%d by %s refused: not started", request.accessPoint,
                request.requestedBy);
    return {OpenResult::Kind::Failed, "not started"};
  }
  BarrierResult result = controller_->open(request.accessPoint);
  const std::string what = toString(result.outcome);
  if (result.outcome == BarrierOutcome::Pulsed || result.outcome == BarrierOutcome::Pulsing ||
      result.outcome == BarrierOutcome::AlreadyOpen) {
    if (result.outcome == BarrierOutcome::Pulsed) {
      ctx_->metrics()
          .counter("lpr_barrier_pulses_total", "Barrier pulses (\"on\" written), by trigger",
                   {{"plugin", ctx_->instanceId()},
                    {"access_point", std::to_string(request.accessPoint)},
                    {"trigger", "manual"}})
          .inc();
    }
    log.information("manual open access_point=%d by=%s reason=\"%s\": %s", request.accessPoint,
                    request.requestedBy, request.reason, what);
    return {OpenResult::Kind::Opened,
            "access point " + std::to_string(request.accessPoint) + " " + what};
  }
  if (result.outcome == BarrierOutcome::Unreachable || result.outcome == BarrierOutcome::Refused) {
    errors_->inc();
  }
  log.warning("manual open access_point=%d by=%s failed: %s %s", request.accessPoint,
              request.requestedBy, what, result.detail);
  return {OpenResult::Kind::Failed, what + (result.detail.empty() ? "" : ": " + result.detail)};
}

}  // namespace lpr
