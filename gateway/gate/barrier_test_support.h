#pragma once

// Fakes for the barrier tests: relays that record every write on one shared timeline, and a
// wall clock the test moves.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/plate_event.h"
#include "gate/barrier_controller.h"

namespace lpr::testing {

struct RelayEvent {
  int accessPoint;
  bool on;
  std::chrono::steady_clock::time_point at;
};

class RelayTimeline {
 public:
  void add(int accessPoint, bool on) {
    std::lock_guard lock(mutex_);
    events_.push_back({accessPoint, on, std::chrono::steady_clock::now()});
  }
  std::vector<RelayEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  int onCount(int accessPoint) const {
    int n = 0;
    for (const auto& e : events()) n += e.accessPoint == accessPoint && e.on ? 1 : 0;
    return n;
  }
  // Writes in their order: false when two relays of `group` were ever on together.
  bool neverTogether(const std::vector<int>& group) const {
    std::map<int, bool> on;
    for (const auto& e : events()) {
      on[e.accessPoint] = e.on;
      int count = 0;
      for (int p : group) count += on[p] ? 1 : 0;
      if (count > 1) return false;
    }
    return true;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<RelayEvent> events_;
};

class FakeRelay : public RelayOutput {
 public:
  FakeRelay(int accessPoint, std::shared_ptr<RelayTimeline> timeline)
      : accessPoint_(accessPoint), timeline_(std::move(timeline)) {}
  RelayWrite write(bool on) override {
    ++writes;
    switch (mode.load()) {
      case RelayWrite::Kind::Unreachable:
        return RelayWrite::unreachable("connection refused");
      case RelayWrite::Kind::Refused:
        return RelayWrite::refused("Illegal data address");
      default:
        break;
    }
    timeline_->add(accessPoint_, on);
    return RelayWrite::ok();
  }
  RelayWrite precheck() override {
    return precheckOpen.load() ? RelayWrite::skip("barrier reports open") : RelayWrite::ok();
  }
  std::string describe() const override { return "fake relay " + std::to_string(accessPoint_); }

  std::atomic<RelayWrite::Kind> mode{RelayWrite::Kind::Ok};
  std::atomic<bool> precheckOpen{false};
  std::atomic<int> writes{0};

 private:
  int accessPoint_;
  std::shared_ptr<RelayTimeline> timeline_;
};

class FakeWallClock {
 public:
  FakeWallClock() : now_(Clock::now()) {}
  TimePoint now() const {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  BarrierController::WallClock function() {
    return [this] { return now(); };
  }

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

inline PlateEvent grantEvent(int accessPoint, TimePoint receivedAt, bool valid = true) {
  PlateEvent event;
  event.id = newUuid();
  event.sourceId = "cam";
  event.plate = "AB123CD";
  event.accessPoint = accessPoint;
  event.receivedAt = receivedAt;
  event.capturedAt = receivedAt;
  Decision decision;
  decision.valid = valid;
  decision.decidedBy = "list";
  event.decision = decision;
  return event;
}

inline std::chrono::milliseconds heldFor(const std::vector<RelayEvent>& events, int accessPoint) {
  std::optional<std::chrono::steady_clock::time_point> on;
  for (const auto& e : events) {
    if (e.accessPoint != accessPoint) continue;
    if (e.on && !on) on = e.at;
    if (!e.on && on) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(e.at - *on);
    }
  }
  return std::chrono::milliseconds(-1);
}

}  // namespace lpr::testing
