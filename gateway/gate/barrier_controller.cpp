#include "gate/barrier_controller.h"

#include <algorithm>
#include <set>

namespace lpr {

std::string toString(BarrierOutcome outcome) {
  switch (outcome) {
    case BarrierOutcome::Pulsed:
      return "pulsed";
    case BarrierOutcome::Pulsing:
      return "pulsing";
    case BarrierOutcome::AlreadyOpen:
      return "already_open";
    case BarrierOutcome::NotGranted:
      return "not_granted";
    case BarrierOutcome::Update:
      return "update";
    case BarrierOutcome::Unmapped:
      return "unmapped";
    case BarrierOutcome::OtherSource:
      return "other_source";
    case BarrierOutcome::BeforeStart:
      return "before_start";
    case BarrierOutcome::Stale:
      return "stale";
    case BarrierOutcome::Unreachable:
      return "unreachable";
    case BarrierOutcome::Refused:
      return "refused";
    case BarrierOutcome::Stopping:
      return "stopping";
  }
  return "unknown";
}

BarrierController::BarrierController(BarrierOptions options, std::map<int, Relay> relays,
                                     WallClock now)
    : options_(std::move(options)), now_(std::move(now)) {
  if (!now_) now_ = [] { return Clock::now(); };
  for (auto& [point, relay] : relays) slots_[point].relay = std::move(relay);
  for (const auto& group : options_.interlockGroups) {
    for (int a : group) {
      for (int b : group) {
        if (a != b && slots_.count(b)) partners_[a].push_back(b);
      }
    }
  }
  for (auto& [point, list] : partners_) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
}

BarrierController::~BarrierController() { stop(); }

void BarrierController::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) return;
    startedAt_ = now_();
    stopping_ = false;
  }
  // Before any grant can come: no relay is known to be off until it was written off.
  for (auto& [point, slot] : slots_) {
    RelayWrite result = slot.relay.output->write(false);
    std::lock_guard lock(mutex_);
    if (result.kind == RelayWrite::Kind::Unreachable) {
      slot.state = State::Unknown;
      slot.lastError = result.detail;
      slot.offAt = Steady::now() + options_.offRetry;
    } else {
      slot.state = State::Off;
      slot.lastError.clear();
    }
  }
  std::lock_guard lock(mutex_);
  started_ = true;
  timer_ = std::thread([this] { timerLoop(); });
}

void BarrierController::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  changed_.notify_all();
  if (timer_.joinable()) timer_.join();
  std::lock_guard lock(mutex_);
  started_ = false;
}

TimePoint BarrierController::startedAt() const {
  std::lock_guard lock(mutex_);
  return startedAt_;
}

std::vector<int> BarrierController::accessPoints() const {
  std::vector<int> out;
  for (const auto& [point, slot] : slots_) out.push_back(point);
  return out;
}

bool BarrierController::isOn(int accessPoint) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(accessPoint);
  return it != slots_.end() && it->second.state != State::Off;
}

std::vector<int> BarrierController::partners(int accessPoint) const {
  auto it = partners_.find(accessPoint);
  return it == partners_.end() ? std::vector<int>{} : it->second;
}

std::optional<BarrierOutcome> BarrierController::screen(const PlateEvent& event,
                                                        TimePoint now) const {
  if (!event.decision || !event.decision->valid) return BarrierOutcome::NotGranted;
  if (!event.updateOf.empty()) return BarrierOutcome::Update;
  if (!slots_.count(event.accessPoint)) return BarrierOutcome::Unmapped;
  if (!options_.sources.empty() && std::find(options_.sources.begin(), options_.sources.end(),
                                             event.sourceId) == options_.sources.end()) {
    return BarrierOutcome::OtherSource;
  }
  if (event.receivedAt < startedAt()) return BarrierOutcome::BeforeStart;
  if (now - event.receivedAt > options_.maxAge) return BarrierOutcome::Stale;
  return std::nullopt;
}

BarrierResult BarrierController::handle(const PlateEvent& event) {
  const TimePoint now = now_();
  if (auto skip = screen(event, now)) {
    std::string detail;
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - event.receivedAt);
    if (*skip == BarrierOutcome::Stale) {
      detail = "received " + std::to_string(age.count()) + " ms ago (max_age_ms " +
               std::to_string(options_.maxAge.count()) + ")";
    } else if (*skip == BarrierOutcome::BeforeStart) {
      detail = "received before this sink started (a replay after a restart)";
    } else if (*skip == BarrierOutcome::Unmapped) {
      detail = "no relay for access point " + std::to_string(event.accessPoint);
    }
    return {*skip, detail, std::nullopt};
  }
  const auto left =
      std::chrono::duration_cast<Steady::duration>(event.receivedAt + options_.maxAge - now);
  return pulse(event.accessPoint, Steady::now() + left);
}

BarrierResult BarrierController::open(int accessPoint) {
  if (!slots_.count(accessPoint)) {
    return {BarrierOutcome::Unmapped, "no relay for access point " + std::to_string(accessPoint),
            std::nullopt};
  }
  return pulse(accessPoint, Steady::now() + options_.maxAge);
}

BarrierResult BarrierController::pulse(int accessPoint, Steady::time_point deadline) {
  std::unique_lock lock(mutex_);
  Slot& slot = slots_.at(accessPoint);
  const std::vector<int> others = partners(accessPoint);
  for (;;) {
    if (!started_ || stopping_) return {BarrierOutcome::Stopping, "barrier stopped", {}};
    if (slot.state == State::Pulsing || slot.state == State::Writing) {
      return {BarrierOutcome::Pulsing, "already pulsing", {}};
    }
    if (slot.state == State::Unknown) {
      return {BarrierOutcome::Unreachable, "relay state unknown: " + slot.lastError, {}};
    }
    const auto now = Steady::now();
    auto until = deadline;
    int blocker = -1;
    for (int other : others) {
      const Slot& o = slots_.at(other);
      if (o.state == State::Unknown) {
        return {BarrierOutcome::Unreachable,
                "interlock: relay of access point " + std::to_string(other) +
                    " in unknown state: " + o.lastError,
                {}};
      }
      if (o.state != State::Off) {
        blocker = other;
      } else if (o.lastOff + options_.interlockWait > now) {
        blocker = other;
        until = std::min(until, o.lastOff + options_.interlockWait);
      }
    }
    if (blocker < 0) break;
    if (now >= deadline) {
      return {BarrierOutcome::Stale,
              "expired waiting for the interlock with access point " + std::to_string(blocker),
              {}};
    }
    changed_.wait_until(lock, until);
  }
  slot.state = State::Writing;
  std::shared_ptr<RelayOutput> output = slot.relay.output;
  const auto pulseFor = slot.relay.pulse.value_or(options_.pulse);
  lock.unlock();

  RelayWrite check = output->precheck();
  RelayWrite result = check;
  TimePoint onAt{};
  if (check.kind == RelayWrite::Kind::Ok) {
    result = output->write(true);
    onAt = now_();
  }

  lock.lock();
  BarrierResult out;
  switch (result.kind) {
    case RelayWrite::Kind::Ok:
      slot.state = State::Pulsing;
      slot.offAt = Steady::now() + pulseFor;
      slot.lastError.clear();
      out = {BarrierOutcome::Pulsed, output->describe(), onAt};
      break;
    case RelayWrite::Kind::Skip:
      slot.state = State::Off;
      out = {BarrierOutcome::AlreadyOpen, result.detail, {}};
      break;
    case RelayWrite::Kind::Refused:
      slot.state = State::Off;
      out = {BarrierOutcome::Refused, result.detail, {}};
      break;
    case RelayWrite::Kind::Unreachable:
      if (check.kind == RelayWrite::Kind::Ok) {
        // The "on" may have reached the relay: off as soon as the peer answers again.
        slot.state = State::Unknown;
        slot.offAt = Steady::now();
        slot.lastError = result.detail;
      } else {
        slot.state = State::Off;  // only the precheck failed; nothing was written
      }
      out = {BarrierOutcome::Unreachable, result.detail, {}};
      break;
  }
  lock.unlock();
  changed_.notify_all();
  return out;
}

void BarrierController::writeOff(int accessPoint, Slot& slot, std::unique_lock<std::mutex>& lock) {
  std::shared_ptr<RelayOutput> output = slot.relay.output;
  lock.unlock();
  RelayWrite result = output->write(false);
  lock.lock();
  if (result.kind == RelayWrite::Kind::Unreachable) {
    slot.state = State::Unknown;
    slot.lastError = result.detail;
    slot.offAt = Steady::now() + options_.offRetry;
  } else {
    // Refused: the peer will not take this write at all; retrying would only repeat it.
    slot.state = State::Off;
    slot.lastOff = Steady::now();
    slot.lastError.clear();
  }
  lock.unlock();
  changed_.notify_all();
  lock.lock();
}

void BarrierController::timerLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_) {
      // Deliveries still writing "on" finish first, then every relay gets one last "off".
      changed_.wait(lock, [&] {
        return std::none_of(slots_.begin(), slots_.end(),
                            [](const auto& s) { return s.second.state == State::Writing; });
      });
      for (auto& [point, slot] : slots_) {
        if (slot.state != State::Off) writeOff(point, slot, lock);
      }
      return;
    }
    const auto now = Steady::now();
    std::optional<Steady::time_point> next;
    bool wrote = false;
    for (auto& [point, slot] : slots_) {
      if (slot.state != State::Pulsing && slot.state != State::Unknown) continue;
      if (slot.offAt <= now) {
        writeOff(point, slot, lock);
        wrote = true;
        break;  // the map's states may have changed meanwhile: scan again
      }
      next = next ? std::min(*next, slot.offAt) : slot.offAt;
    }
    if (wrote) continue;
    if (next) {
      changed_.wait_until(lock, *next);
    } else {
      changed_.wait(lock);
    }
  }
}

}  // namespace lpr
