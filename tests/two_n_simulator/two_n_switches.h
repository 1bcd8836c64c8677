#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lpr::testing {

// The device's switches (relays) as /api/switch/ctrl drives them (2n-http-api.md §4): all
// monostable, so `trigger` switches on for the switch-on duration and a timer switches off again.
// Every change of `active` is reported through the callback (SwitchStateChanged). Thread-safe.
class TwoNSwitches {
 public:
  using Notify = std::function<void(int number, bool active, const std::string& originator)>;
  struct State {
    bool active = false;
    bool locked = false;  // forced off: on/trigger fail
    bool held = false;    // forced on: off fails
  };

  TwoNSwitches(int count, std::chrono::milliseconds onDuration, Notify notify);
  ~TwoNSwitches();
  TwoNSwitches(const TwoNSwitches&) = delete;
  TwoNSwitches& operator=(const TwoNSwitches&) = delete;

  // action: on, off, trigger, lock, unlock, hold, release. Throws TwoNError 12 (param switch or
  // action) for an unknown switch or action, 14 when the switch cannot do it (locked, held).
  void control(int number, const std::string& action, const std::string& originator);
  State state(int number) const;
  int count() const { return static_cast<int>(states_.size()); }
  std::chrono::milliseconds onDuration() const { return onDuration_; }
  // A device restart: everything off, no timers, no events.
  void reset();

 private:
  void set(int number, bool active, const std::string& originator);  // mutex held
  void run();

  const std::chrono::milliseconds onDuration_;
  const Notify notify_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<State> states_;
  // Switch-off deadline and the originator of the trigger, per switch.
  std::map<int, std::pair<std::chrono::steady_clock::time_point, std::string>> offAt_;
  bool quit_ = false;
  std::thread timer_;
};

}  // namespace lpr::testing
