#include "bus/decision_stage.h"

#include <Poco/Logger.h>

#include <algorithm>

#include "metrics/metrics.h"
#include "storage/event_store.h"

namespace lpr {

namespace {

constexpr std::size_t kReadBatch = 256;
// A verdict that arrives before its read reached the stage is kept this long for it.
constexpr auto kEarlyKeep = std::chrono::seconds(60);
// How long a decided id is remembered to recognise a late verdict for it.
constexpr auto kDecidedKeep = std::chrono::minutes(2);
constexpr auto kRetryAfterFailure = std::chrono::milliseconds(200);

std::string decidedByLabel(const PlateEvent& event) {
  return event.decision ? event.decision->decidedBy : "none";
}

}  // namespace

DecisionStage::DecisionStage(Metrics& metrics)
    : metrics_(metrics),
      log_(Poco::Logger::get("lpr.decide")),
      late_(metrics.counter("lpr_verdicts_late_total",
                            "Verdicts that came after their read was decided without them")),
      updates_(metrics.counter("lpr_event_updates_total",
                               "Refinements of decided vehicles, passed on with their decision")),
      wait_(metrics.histogram("lpr_decision_wait_seconds",
                              "From a read's arrival to its decision being committed", {},
                              {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10})) {
  metrics_.gauge("lpr_decision_pending", "Reads waiting for a verdict", {},
                 [this] { return static_cast<double>(pendingCount()); });
}

DecisionStage::~DecisionStage() { stop(); }

void DecisionStage::setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

void DecisionStage::registerAuthority(const std::string& authority) {
  std::lock_guard lock(mutex_);
  authorities_.emplace(authority, true);
}

void DecisionStage::setAuthorityAvailable(const std::string& authority, bool available) {
  {
    std::lock_guard lock(mutex_);
    auto it = authorities_.find(authority);
    if (it == authorities_.end() || it->second == available) return;
    it->second = available;
  }
  wake_.notify_all();
}

void DecisionStage::offerVerdict(const std::string& eventId, const Decision& decision) {
  {
    std::lock_guard lock(mutex_);
    if (pendingById_.count(eventId)) {
      verdicts_.emplace(eventId, decision);  // the first verdict wins
    } else if (decidedIds_.count(eventId)) {
      late_.inc();
      log_.information("verdict for event %s came after it was decided; ignored", eventId);
      return;
    } else {
      early_.emplace(eventId, Early{decision, std::chrono::steady_clock::now()});
      return;
    }
  }
  wake_.notify_all();
}

bool DecisionStage::registerFallback(const std::string& owner, Fallback fallback) {
  std::lock_guard lock(mutex_);
  if (fallback_) return false;
  fallbackOwner_ = owner;
  fallback_ = std::move(fallback);
  return true;
}

std::size_t DecisionStage::pendingCount() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void DecisionStage::start(EventStore& reads, EventStore& decisions) {
  reads_ = &reads;
  decisions_ = &decisions;
  lastRead_ = reads.openCursor(kCursor);
  reads.setCommitListener([this] {
    {
      std::lock_guard lock(mutex_);
      readsArrived_ = true;
    }
    wake_.notify_all();
  });
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    readsArrived_ = true;
  }
  thread_ = std::thread([this] { loop(); });
}

void DecisionStage::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (reads_) reads_->setCommitListener({});
}

bool DecisionStage::anyAuthorityAvailable() const {
  return std::any_of(authorities_.begin(), authorities_.end(),
                     [](const auto& entry) { return entry.second; });
}

void DecisionStage::loop() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      while (!stopping_ && !readsArrived_ && verdicts_.empty() &&
             (pending_.empty() || anyAuthorityAvailable())) {
        auto next = TimePoint::max();
        for (const auto& [seq, p] : pending_) next = std::min(next, p.deadline);
        if (next <= Clock::now()) break;
        wake_.wait_for(lock, next == TimePoint::max() ? std::chrono::seconds(1)
                                                      : std::chrono::duration_cast<Clock::duration>(
                                                            next - Clock::now()));
        if (std::chrono::steady_clock::now() >= nextPurge_) break;
      }
      if (stopping_) return;
      if (std::chrono::steady_clock::now() >= nextPurge_) {
        purgeOld();
        nextPurge_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      }
    }
    while (fetchReads()) {
    }
    std::vector<PlateEvent> decided = takeReady(Clock::now());
    inheritDecisions(decided);
    decideWithoutVerdicts(decided);
    if (!decided.empty()) commitDecided(decided);
  }
}

bool DecisionStage::fetchReads() {
  {
    std::lock_guard lock(mutex_);
    readsArrived_ = false;
  }
  std::int64_t last = lastRead_;
  std::vector<PlateEvent> events = reads_->readAfter(lastRead_, kReadBatch, &last);
  lastRead_ = std::max(lastRead_, last);
  if (events.empty()) {
    // Unreadable rows only (or nothing): once nothing is pending, the cursor may pass them.
    std::lock_guard lock(mutex_);
    if (pending_.empty()) reads_->advanceCursor(kCursor, lastRead_);
    return false;
  }
  std::lock_guard lock(mutex_);
  for (auto& event : events) {
    std::string id = event.id;
    TimePoint deadline = event.receivedAt + timeout_;
    std::int64_t seq = event.seq;
    pendingById_[id] = seq;
    pending_.emplace(seq, Pending{std::move(event), deadline});
    auto early = early_.find(id);
    if (early != early_.end()) {
      verdicts_.emplace(id, early->second.decision);
      early_.erase(early);
    }
  }
  return events.size() == kReadBatch;
}

std::vector<PlateEvent> DecisionStage::takeReady(TimePoint now) {
  std::lock_guard lock(mutex_);
  bool wait = anyAuthorityAvailable();
  std::vector<PlateEvent> ready;
  for (const auto& [seq, p] : pending_) {
    if (!p.event.updateOf.empty()) {
      // A refinement goes out with its vehicle's decision, so after it, never before.
      if (pendingById_.count(p.event.updateOf) == 0) ready.push_back(p.event);
      continue;
    }
    auto verdict = verdicts_.find(p.event.id);
    if (verdict == verdicts_.end() && wait && p.deadline > now) continue;
    PlateEvent event = p.event;
    if (verdict != verdicts_.end()) {
      event.decision = verdict->second;
      verdictTaken_.insert(event.id);
    }
    ready.push_back(std::move(event));
  }
  return ready;
}

void DecisionStage::inheritDecisions(std::vector<PlateEvent>& ready) {
  for (auto& event : ready) {
    if (event.updateOf.empty()) continue;
    EventQuery query;
    query.id = event.updateOf;
    query.limit = 1;
    std::vector<PlateEvent> first = decisions_->query(query);
    if (!first.empty()) {
      event.decision = first.front().decision;
    } else {
      // Its first event was never stored (refused as a duplicate) or has been pruned.
      log_.warning(
          "event %s refines %s, which is not in the decisions store; it goes out "
          "undecided",
          event.id, event.updateOf);
    }
  }
}

void DecisionStage::decideWithoutVerdicts(std::vector<PlateEvent>& ready) {
  if (!fallback_) return;
  for (auto& event : ready) {
    if (event.decision || !event.updateOf.empty()) continue;
    try {
      event.decision = fallback_(event);
    } catch (const std::exception& e) {
      // A broken fallback must not stop every later decision: this read goes out undecided.
      log_.error("fallback %s failed on event %s: %s", fallbackOwner_, event.id,
                 std::string(e.what()));
      metrics_.counter("lpr_errors_total", "Errors by kind", {{"kind", "fallback_exception"}})
          .inc();
    }
  }
}

void DecisionStage::commitDecided(std::vector<PlateEvent>& decided) {
  std::vector<EventStore::AppendResult> results = decisions_->appendMany(decided);
  std::string failure;
  auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    auto steadyNow = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < decided.size(); ++i) {
      const PlateEvent& event = decided[i];
      if (results[i].status == EventStore::AppendResult::Status::Failed) {
        failure = results[i].error;
        verdictTaken_.erase(event.id);  // taken again, with any verdict by then, on the retry
        continue;
      }
      std::int64_t readSeq = pendingById_[event.id];
      pending_.erase(readSeq);
      pendingById_.erase(event.id);
      if (verdicts_.count(event.id) && !verdictTaken_.count(event.id)) {
        late_.inc();
        log_.information("verdict for event %s came while it was decided without it; ignored",
                         event.id);
      }
      verdicts_.erase(event.id);
      verdictTaken_.erase(event.id);
      if (!authorities_.empty()) decidedIds_[event.id] = steadyNow;
      if (results[i].status == EventStore::AppendResult::Status::Stored &&
          !event.updateOf.empty()) {
        updates_.inc();
      } else if (results[i].status == EventStore::AppendResult::Status::Stored) {
        metrics_
            .counter("lpr_decisions_total", "Decided events by who decided",
                     {{"decided_by", decidedByLabel(event)}})
            .inc();
        wait_.observe(std::chrono::duration<double>(now - event.receivedAt).count());
      }
    }
    // Refinements waiting for what was just decided can go out now: look again at once.
    for (const auto& [seq, p] : pending_) {
      if (!p.event.updateOf.empty() && pendingById_.count(p.event.updateOf) == 0) {
        readsArrived_ = true;
      }
    }
    std::int64_t decidedUpTo = pending_.empty() ? lastRead_ : pending_.begin()->first - 1;
    reads_->advanceCursor(kCursor, decidedUpTo);
  }
  if (!failure.empty()) {
    log_.error("could not commit decisions (%s); retrying", failure);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kRetryAfterFailure, [this] { return stopping_; });
  }
}

void DecisionStage::purgeOld() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = early_.begin(); it != early_.end();) {
    if (now - it->second.at > kEarlyKeep) {
      late_.inc();  // never matched a read here: its read was decided before a restart
      it = early_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = decidedIds_.begin(); it != decidedIds_.end();) {
    it = now - it->second > kDecidedKeep ? decidedIds_.erase(it) : std::next(it);
  }
}

}  // namespace lpr
