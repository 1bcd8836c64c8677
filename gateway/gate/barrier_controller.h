#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/plate_event.h"

namespace lpr {

// Outcome of one write to (or check of) a relay output.
struct RelayWrite {
  enum class Kind {
    Ok,
    Unreachable,  // the peer did not answer (connection, timeout): the relay state is unknown
    Refused,      // the peer answered no (Modbus exception): nothing changed
    Skip,         // precheck only: no pulse needed (the barrier reports it is already open)
  };
  Kind kind = Kind::Ok;
  std::string detail;
  static RelayWrite ok() { return {}; }
  static RelayWrite unreachable(std::string why) { return {Kind::Unreachable, std::move(why)}; }
  static RelayWrite refused(std::string why) { return {Kind::Refused, std::move(why)}; }
  static RelayWrite skip(std::string why) { return {Kind::Skip, std::move(why)}; }
};

// One barrier's "open" contact: a Modbus coil or register, a GPIO line, a fake in tests.
// write() may be called from several threads (the controller's timer, deliveries, manual
// opens); an implementation that shares a connection serializes its own I/O.
class RelayOutput {
 public:
  virtual ~RelayOutput() = default;
  virtual RelayWrite write(bool on) = 0;
  // Asked before each pulse; Skip leaves the relay off (e.g. a "barrier closed" input reads
  // open on step-by-step wiring, where a pulse would close it again).
  virtual RelayWrite precheck() { return RelayWrite::ok(); }
  virtual std::string describe() const = 0;  // "coil 5 unit 1", for logs
};

// Why an event did or did not pulse a barrier; the names are the `reason` label of
// lpr_barrier_skipped_total.
enum class BarrierOutcome {
  Pulsed,       // "on" written; "off" follows after pulse_ms
  Pulsing,      // the relay was already pulsing for an earlier grant: this one joins it
  AlreadyOpen,  // the precheck said the barrier is open: no pulse
  NotGranted,   // no decision, or valid == false
  Update,       // a refinement of an event already decided: never opens again
  Unmapped,     // no relay for the event's access point in this sink
  OtherSource,  // not from one of the configured sources
  BeforeStart,  // received before this sink started: a replay from the store after a restart
  Stale,        // received more than max_age_ms ago (or it expired waiting for the interlock)
  Unreachable,  // the relay could not be written: retry (the age rule drops it once expired)
  Refused,      // the peer refused the write: retrying will not help
  Stopping,
};
std::string toString(BarrierOutcome outcome);

struct BarrierResult {
  BarrierOutcome outcome = BarrierOutcome::Pulsed;
  std::string detail;
  // When "on" was written (Pulsed only), for the latency metric.
  std::optional<TimePoint> onAt;
};

struct BarrierOptions {
  std::chrono::milliseconds pulse{800};
  std::chrono::milliseconds maxAge{2000};
  // After one relay of an interlock group went off, the others stay off this much longer.
  std::chrono::milliseconds interlockWait{200};
  // How often an "off" that failed is tried again (the relay counts as on until it succeeds).
  std::chrono::milliseconds offRetry{250};
  std::vector<std::string> sources{};               // empty: events of every source
  std::vector<std::vector<int>> interlockGroups{};  // access points never on together
};

// The barrier logic shared by the barrier sinks, free of any transport:
//  - screen(): which decided events open a barrier at all (granted, not a refinement, mapped,
//    from a configured source, received after start(), younger than max_age);
//  - a pulse writes "on", and a timer thread writes "off" pulse later, so the caller waits for
//    the "on" write only (its outcome is the delivery's outcome), not for the whole pulse;
//  - a grant while its relay is already pulsing joins that pulse (no second write, no
//    lengthening: a stream of grants cannot hold a barrier open);
//  - interlock: relays of one group are never on together, across threads. A grant waits until
//    the others' pulses ended plus interlock_wait, but never beyond its own expiry (Stale);
//  - a relay whose write failed counts as on (its state is unknown) until an "off" succeeded;
//    the timer keeps trying. A grant for it, or for its group, gets Unreachable meanwhile.
// The wall clock (receivedAt comparisons) is injected; pulse timing uses the steady clock.
class BarrierController {
 public:
  using WallClock = std::function<TimePoint()>;
  struct Relay {
    std::shared_ptr<RelayOutput> output;
    std::optional<std::chrono::milliseconds> pulse;  // overrides options.pulse
  };

  BarrierController(BarrierOptions options, std::map<int, Relay> relays, WallClock now = {});
  ~BarrierController();
  BarrierController(const BarrierController&) = delete;
  BarrierController& operator=(const BarrierController&) = delete;

  // Records the start time (events received before it never pulse), writes "off" to every
  // relay (a pulse cut short by a crash must not hold a barrier open) and starts the timer.
  void start();
  // Ends pulses in progress at once ("off" written), stops the timer. Idempotent.
  void stop() noexcept;

  // Pure: the reason an event does not pulse, or nullopt when it should (given `now`).
  std::optional<BarrierOutcome> screen(const PlateEvent& event, TimePoint now) const;
  // screen() and, when it passes, a pulse of the event's access point.
  BarrierResult handle(const PlateEvent& event);
  // A manual opening: no decision or age rule, the interlock still holds.
  BarrierResult open(int accessPoint);

  bool isOn(int accessPoint) const;  // pulsing, being written, or unknown
  std::vector<int> accessPoints() const;
  const BarrierOptions& options() const { return options_; }
  TimePoint startedAt() const;

 private:
  using Steady = std::chrono::steady_clock;
  enum class State { Off, Writing, Pulsing, Unknown };
  struct Slot {
    Relay relay;
    State state = State::Unknown;
    Steady::time_point offAt{};    // Pulsing: when "off" is due; Unknown: next "off" try
    Steady::time_point lastOff{};  // when it last went off
    std::string lastError;
  };

  BarrierResult pulse(int accessPoint, Steady::time_point deadline);
  std::vector<int> partners(int accessPoint) const;
  void timerLoop();
  void writeOff(int accessPoint, Slot& slot, std::unique_lock<std::mutex>& lock);

  BarrierOptions options_;
  WallClock now_;
  std::map<int, std::vector<int>> partners_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int, Slot> slots_;
  TimePoint startedAt_{};
  bool started_ = false;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace lpr
