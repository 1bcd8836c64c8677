#include "two_n_switches.h"

#include "two_n_reply.h"

namespace lpr::testing {

TwoNSwitches::TwoNSwitches(int count, std::chrono::milliseconds onDuration, Notify notify)
    : onDuration_(onDuration),
      notify_(std::move(notify)),
      states_(static_cast<std::size_t>(std::max(count, 0))),
      timer_([this] { run(); }) {}

TwoNSwitches::~TwoNSwitches() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  timer_.join();
}

void TwoNSwitches::set(int number, bool active, const std::string& originator) {
  State& state = states_[static_cast<std::size_t>(number - 1)];
  if (state.active == active) return;
  state.active = active;
  if (notify_) notify_(number, active, originator);
}

void TwoNSwitches::control(int number, const std::string& action, const std::string& originator) {
  std::lock_guard lock(mutex_);
  if (number < 1 || number > count()) throw TwoNError(two_n_error::kInvalidParameter, "switch");
  State& state = states_[static_cast<std::size_t>(number - 1)];
  if (action == "on" || action == "trigger") {
    if (state.locked) throw TwoNError(two_n_error::kProcessingError, {}, "action failed");
    set(number, true, originator);
    if (action == "trigger" && !state.held) {
      offAt_[number] = {std::chrono::steady_clock::now() + onDuration_, originator};
      wake_.notify_all();
    } else {
      offAt_.erase(number);
    }
  } else if (action == "off") {
    if (state.held) throw TwoNError(two_n_error::kProcessingError, {}, "action failed");
    offAt_.erase(number);
    set(number, false, originator);
  } else if (action == "lock") {
    state.locked = true;
    state.held = false;
    offAt_.erase(number);
    set(number, false, originator);
  } else if (action == "unlock") {
    state.locked = false;
  } else if (action == "hold") {
    if (state.locked) throw TwoNError(two_n_error::kProcessingError, {}, "action failed");
    state.held = true;
    offAt_.erase(number);
    set(number, true, originator);
  } else if (action == "release") {
    if (state.held) {
      state.held = false;
      set(number, false, originator);
    }
  } else {
    throw TwoNError(two_n_error::kInvalidParameter, "action");
  }
}

TwoNSwitches::State TwoNSwitches::state(int number) const {
  std::lock_guard lock(mutex_);
  if (number < 1 || number > count()) return {};
  return states_[static_cast<std::size_t>(number - 1)];
}

void TwoNSwitches::reset() {
  std::lock_guard lock(mutex_);
  offAt_.clear();
  for (auto& state : states_) state = State{};
}

void TwoNSwitches::run() {
  std::unique_lock lock(mutex_);
  while (!quit_) {
    if (offAt_.empty()) {
      wake_.wait(lock, [&] { return quit_ || !offAt_.empty(); });
      continue;
    }
    auto next = offAt_.begin();
    for (auto it = offAt_.begin(); it != offAt_.end(); ++it) {
      if (it->second.first < next->second.first) next = it;
    }
    const auto deadline = next->second.first;
    if (std::chrono::steady_clock::now() < deadline) {
      // Woken early by a new trigger or by quit_; the loop recomputes the earliest deadline.
      wake_.wait_until(lock, deadline);
      continue;
    }
    const int number = next->first;
    const std::string originator = next->second.second;
    offAt_.erase(next);
    set(number, false, originator);
  }
}

}  // namespace lpr::testing
