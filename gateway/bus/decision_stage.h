#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bus/plate_event.h"
#include "bus/verdict_board.h"

namespace Poco {
class Logger;
}

namespace lpr {

class Counter;
class EventStore;
class Histogram;
class Metrics;

// Turns committed reads into decided events. Every read waits until an access authority (a 2N
// device, through sink_2n) hands in its verdict, or until `timeout` after the read was received,
// or not at all while no authority can answer; it is then appended, with the verdict as its
// decision when there was one, to the decisions store that the barrier and MQTT sinks consume.
//
// Durable and exactly once: the stage reads the reads store through its own cursor, which moves
// only over reads whose decision is committed; after a crash the reads past the cursor are
// decided again and the decisions store drops the repeats by event id. A verdict that arrives
// after its read was decided without it is counted (lpr_verdicts_late_total) and dropped: the
// decision already went out.
//
// A refinement of a vehicle (PlateEvent::updateOf) is never decided on its own: it waits for
// its first event's decision and goes out carrying it.
class DecisionStage : public VerdictBoard {
 public:
  static constexpr const char* kCursor = "core.decide";

  explicit DecisionStage(Metrics& metrics);
  ~DecisionStage() override;
  DecisionStage(const DecisionStage&) = delete;
  DecisionStage& operator=(const DecisionStage&) = delete;

  void setTimeout(std::chrono::milliseconds timeout);  // before start(); default 1500 ms
  void start(EventStore& reads, EventStore& decisions);
  // Undecided reads stay behind the cursor and are decided after the next start.
  void stop() noexcept;

  void registerAuthority(const std::string& authority) override;
  void setAuthorityAvailable(const std::string& authority, bool available) override;
  void offerVerdict(const std::string& eventId, const Decision& decision) override;
  bool registerFallback(const std::string& owner, Fallback fallback) override;

  std::size_t pendingCount() const;

 private:
  struct Pending {
    PlateEvent event;
    TimePoint deadline;
  };
  struct Early {
    Decision decision;
    std::chrono::steady_clock::time_point at;
  };

  void loop();
  // Moves reads committed since the last look into pending_; false when there was nothing.
  bool fetchReads();
  std::vector<PlateEvent> takeReady(TimePoint now);
  // Refinements (updateOf) take their vehicle's decision from the decisions store.
  void inheritDecisions(std::vector<PlateEvent>& ready);
  void decideWithoutVerdicts(std::vector<PlateEvent>& ready);  // the fallback, outside mutex_
  void commitDecided(std::vector<PlateEvent>& decided);
  bool anyAuthorityAvailable() const;  // mutex_ held
  void purgeOld();                     // mutex_ held

  Metrics& metrics_;
  Poco::Logger& log_;
  Counter& late_;
  Counter& updates_;
  Histogram& wait_;
  std::chrono::milliseconds timeout_{1500};
  std::string fallbackOwner_;
  Fallback fallback_;  // set before start(); used on the stage thread only
  EventStore* reads_ = nullptr;
  EventStore* decisions_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool readsArrived_ = true;
  std::map<std::string, bool> authorities_;  // id → can answer now
  std::map<std::int64_t, Pending> pending_;  // by read seq
  std::unordered_map<std::string, std::int64_t> pendingById_;
  std::unordered_map<std::string, Early> early_;  // verdicts that beat their read to the stage
  std::unordered_map<std::string, Decision> verdicts_;  // verdicts for pending reads
  // Reads taken for a commit with their verdict: a verdict for any other read in that commit
  // came while the commit ran, after the decision was made without it, so it is late.
  std::unordered_set<std::string> verdictTaken_;
  // Ids decided lately, so a verdict after the decision is told from one before its read.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> decidedIds_;

  // Stage thread only.
  std::int64_t lastRead_ = 0;
  std::chrono::steady_clock::time_point nextPurge_{};
  std::thread thread_;
};

}  // namespace lpr
