#include "bus/decision_stage.h"

#include <gtest/gtest.h>

#include <optional>

#include "metrics/metrics.h"
#include "storage/event_store.h"
#include "test_env.h"

namespace lpr {
namespace {

using namespace std::chrono_literals;
using testing::waitFor;

PlateEvent makeRead(const std::string& plate, TimePoint receivedAt = Clock::now()) {
  PlateEvent e;
  e.id = newUuid();
  e.sourceId = "cam";
  e.plate = e.plateRaw = plate;
  e.receivedAt = e.capturedAt = receivedAt;
  return e;
}

Decision verdict(bool valid, std::optional<std::string> uuid = std::nullopt) {
  Decision d;
  d.valid = valid;
  d.uuid = std::move(uuid);
  d.decidedBy = "2n";
  d.session = "17";
  d.decidedAt = Clock::now();
  return d;
}

class DecisionStageTest : public ::testing::Test {
 protected:
  DecisionStageTest() { open(); }
  ~DecisionStageTest() override { closeAll(); }

  void open() {
    StoreOptions r;
    r.path = dir_.file("events.db");
    reads_ = std::make_unique<EventStore>(r, metrics_);
    // As the gateway's first start does before any source runs.
    reads_->openCursor(DecisionStage::kCursor);
    StoreOptions d = r;
    d.path = dir_.file("decisions.db");
    d.stream = "decisions";
    d.ownsImages = false;
    decisions_ = std::make_unique<EventStore>(d, metrics_);
  }
  void closeAll() {
    if (stage_) stage_->stop();
    stage_.reset();
    if (decisions_) decisions_->close();
    if (reads_) reads_->close();
  }
  DecisionStage& startStage(std::chrono::milliseconds timeout, bool authority) {
    stage_ = std::make_unique<DecisionStage>(metrics_);
    stage_->setTimeout(timeout);
    if (authority) stage_->registerAuthority("door2n");
    stage_->start(*reads_, *decisions_);
    return *stage_;
  }
  std::string append(const PlateEvent& e) {
    auto r = reads_->append(e);
    EXPECT_EQ(r.status, EventStore::AppendResult::Status::Stored);
    return e.id;
  }
  std::vector<PlateEvent> decided() { return decisions_->readAfter(0, 10000); }
  bool decidedCount(std::size_t n) {
    return waitFor([&] { return decided().size() >= n; }, 10s);
  }
  std::string metricsText() { return metrics_.renderPrometheus(); }
  // The stage counts a decision just after the store commits it, so a test that has seen the
  // event in the store waits for the count too.
  bool metricShows(const std::string& line) {
    return waitFor([&] { return metricsText().find(line) != std::string::npos; }, 5s);
  }

  testing::ScratchDir dir_{"lpr-decide"};
  Metrics metrics_;
  std::unique_ptr<EventStore> reads_;
  std::unique_ptr<EventStore> decisions_;
  std::unique_ptr<DecisionStage> stage_;
};

TEST_F(DecisionStageTest, WithoutAnAuthorityEveryReadPassesOnUndecidedInOrder) {
  startStage(60s, false);
  for (int i = 0; i < 20; ++i) append(makeRead("AB" + std::to_string(i)));
  ASSERT_TRUE(decidedCount(20));
  auto events = decided();
  ASSERT_EQ(events.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(events[i].plate, "AB" + std::to_string(i));
    EXPECT_FALSE(events[i].decision.has_value());
  }
  EXPECT_TRUE(waitFor([&] { return reads_->cursor(DecisionStage::kCursor) == 20; }, 5s));
  EXPECT_TRUE(metricShows("lpr_decisions_total{decided_by=\"none\"} 20"));
}

TEST_F(DecisionStageTest, AVerdictDecidesItsReadBeforeTheTimeout) {
  // The timeout is far beyond the test's wait: only the verdict can decide these reads.
  DecisionStage& stage = startStage(60s, true);
  std::string user = append(makeRead("USER1"));
  std::string stranger = append(makeRead("NOBODY"));
  ASSERT_TRUE(waitFor([&] { return stage.pendingCount() == 2; }, 5s));
  stage.offerVerdict(stranger, verdict(false));
  stage.offerVerdict(user, verdict(true, "uuid-1"));
  ASSERT_TRUE(decidedCount(2));
  std::map<std::string, PlateEvent> byId;
  for (auto& e : decided()) byId[e.id] = e;
  ASSERT_TRUE(byId.at(user).decision.has_value());
  EXPECT_TRUE(byId.at(user).decision->valid);
  EXPECT_EQ(byId.at(user).decision->uuid.value_or(""), "uuid-1");
  EXPECT_EQ(byId.at(user).decision->decidedBy, "2n");
  EXPECT_EQ(byId.at(user).decision->session.value_or(""), "17");
  ASSERT_TRUE(byId.at(stranger).decision.has_value());
  EXPECT_FALSE(byId.at(stranger).decision->valid);
  EXPECT_FALSE(byId.at(stranger).decision->uuid.has_value());
  EXPECT_EQ(stage.pendingCount(), 0u);
}

TEST_F(DecisionStageTest, AVerdictThatBeatsItsReadToTheStageIsKept) {
  // The stage is not started yet, so the read cannot have reached it when the verdict comes.
  stage_ = std::make_unique<DecisionStage>(metrics_);
  stage_->setTimeout(60s);
  stage_->registerAuthority("door2n");
  std::string id = append(makeRead("EARLY1"));
  stage_->offerVerdict(id, verdict(true, "uuid-early"));
  stage_->start(*reads_, *decisions_);
  ASSERT_TRUE(decidedCount(1));
  ASSERT_TRUE(decided()[0].decision.has_value());
  EXPECT_EQ(decided()[0].decision->uuid.value_or(""), "uuid-early");
}

TEST_F(DecisionStageTest, WithoutAVerdictTheReadIsDecidedAfterTheTimeoutAndALateVerdictIsCounted) {
  DecisionStage& stage = startStage(100ms, true);
  std::string id = append(makeRead("SLOW1"));
  ASSERT_TRUE(decidedCount(1));
  EXPECT_FALSE(decided()[0].decision.has_value());
  stage.offerVerdict(id, verdict(true, "uuid-late"));
  EXPECT_TRUE(metricShows("lpr_verdicts_late_total 1"));
  // The decision that went out is not changed or repeated.
  EXPECT_EQ(decided().size(), 1u);
  EXPECT_FALSE(decided()[0].decision.has_value());
}

TEST_F(DecisionStageTest, WhileNoAuthorityCanAnswerReadsAreNotHeldForTheTimeout) {
  DecisionStage& stage = startStage(60s, true);
  stage.setAuthorityAvailable("door2n", false);
  append(makeRead("DOWN1"));
  ASSERT_TRUE(decidedCount(1));
  EXPECT_FALSE(decided()[0].decision.has_value());

  stage.setAuthorityAvailable("door2n", true);
  std::string id = append(makeRead("UP1"));
  ASSERT_TRUE(waitFor([&] { return stage.pendingCount() == 1; }, 5s));
  EXPECT_EQ(decided().size(), 1u);  // held for its verdict now
  stage.offerVerdict(id, verdict(true, "uuid-up"));
  ASSERT_TRUE(decidedCount(2));
}

TEST_F(DecisionStageTest, ReadsOlderThanTheTimeoutAtStartAreDecidedAtOnce) {
  // Reads left undecided by a stop: their deadline passed while the gateway was down.
  for (int i = 0; i < 3; ++i) append(makeRead("OLD" + std::to_string(i), Clock::now() - 1h));
  startStage(60s, true);
  ASSERT_TRUE(decidedCount(3));
}

TEST_F(DecisionStageTest, ADecisionCommittedBeforeACrashIsNotRepeated) {
  PlateEvent read = makeRead("TWICE1", Clock::now() - 1h);
  append(read);
  // As if the stage had committed the decision and died before its cursor was written.
  PlateEvent done = read;
  done.decision = verdict(true, "uuid-1");
  ASSERT_EQ(decisions_->append(done).status, EventStore::AppendResult::Status::Stored);
  startStage(60s, true);
  ASSERT_TRUE(waitFor([&] { return reads_->cursor(DecisionStage::kCursor) == 1; }, 5s));
  auto events = decided();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].decision->uuid.value_or(""), "uuid-1");
}

TEST_F(DecisionStageTest, UndecidedReadsAtStopAreDecidedAfterTheNextStart) {
  DecisionStage& stage = startStage(60s, true);
  append(makeRead("KEPT1"));
  ASSERT_TRUE(waitFor([&] { return stage.pendingCount() == 1; }, 5s));
  closeAll();
  open();
  EXPECT_EQ(reads_->cursor(DecisionStage::kCursor), 0);
  EXPECT_TRUE(decisions_->readAfter(0, 10).empty());
  startStage(0ms, true);  // a zero timeout: decided at once
  ASSERT_TRUE(decidedCount(1));
  EXPECT_EQ(decided()[0].plate, "KEPT1");
}

TEST_F(DecisionStageTest, TheFallbackDecidesReadsWithoutAVerdictOnly) {
  stage_ = std::make_unique<DecisionStage>(metrics_);
  stage_->setTimeout(60s);
  stage_->registerAuthority("door2n");
  int calls = 0;
  ASSERT_TRUE(stage_->registerFallback("auth", [&calls](const PlateEvent& read) {
    ++calls;
    Decision d;
    d.valid = read.plate == "LOCAL1";
    d.decidedBy = "local_fallback";
    d.reason = "test";
    return std::optional<Decision>(d);
  }));
  EXPECT_FALSE(stage_->registerFallback("other", [](const PlateEvent&) {
    return std::optional<Decision>();
  })) << "a second fallback is refused";
  stage_->setAuthorityAvailable("door2n", false);
  stage_->start(*reads_, *decisions_);
  append(makeRead("LOCAL1"));
  ASSERT_TRUE(decidedCount(1));
  ASSERT_TRUE(decided()[0].decision.has_value());
  EXPECT_TRUE(decided()[0].decision->valid);
  EXPECT_EQ(decided()[0].decision->decidedBy, "local_fallback");

  stage_->setAuthorityAvailable("door2n", true);
  std::string id = append(makeRead("LOCAL1"));
  ASSERT_TRUE(waitFor([&] { return stage_->pendingCount() == 1; }, 5s));
  stage_->offerVerdict(id, verdict(false));
  ASSERT_TRUE(decidedCount(2));
  EXPECT_EQ(decided()[1].decision->decidedBy, "2n");
  EXPECT_FALSE(decided()[1].decision->valid);
  EXPECT_EQ(calls, 1) << "the fallback ran for a read the device decided";
  EXPECT_TRUE(metricShows("lpr_decisions_total{decided_by=\"local_fallback\"} 1"));
}

TEST_F(DecisionStageTest, ARefinementWaitsForItsVehiclesDecisionAndCarriesIt) {
  // Only the verdict can decide the first read; its refinement must neither wait for a verdict
  // of its own nor go out before it.
  DecisionStage& stage = startStage(60s, true);
  std::string first = append(makeRead("AB128CD"));
  PlateEvent refinement = makeRead("AB123CD");
  refinement.updateOf = first;
  std::string second = append(refinement);
  ASSERT_TRUE(waitFor([&] { return stage.pendingCount() == 2; }, 5s));
  EXPECT_TRUE(decided().empty()) << "the refinement went out before its vehicle was decided";

  stage.offerVerdict(first, verdict(true, "uuid-7"));
  ASSERT_TRUE(decidedCount(2));
  auto events = decided();
  EXPECT_EQ(events[0].id, first);
  EXPECT_EQ(events[1].id, second);
  EXPECT_EQ(events[1].updateOf, first);
  ASSERT_TRUE(events[1].decision.has_value());
  EXPECT_TRUE(events[1].decision->valid);
  EXPECT_EQ(events[1].decision->uuid.value_or(""), "uuid-7");
  EXPECT_EQ(events[1].decision->decidedBy, "2n");
  EXPECT_TRUE(metricShows("lpr_decisions_total{decided_by=\"2n\"} 1"));
  EXPECT_TRUE(metricShows("lpr_event_updates_total 1"));
}

TEST_F(DecisionStageTest, ARefinementIsNeverDecidedByTheFallback) {
  stage_ = std::make_unique<DecisionStage>(metrics_);
  stage_->setTimeout(60s);
  int calls = 0;
  ASSERT_TRUE(stage_->registerFallback("auth", [&calls](const PlateEvent& read) {
    ++calls;
    Decision d;
    d.valid = false;
    d.decidedBy = "local_fallback";
    d.reason = "unknown plate";
    return std::optional<Decision>(d);
  }));
  stage_->start(*reads_, *decisions_);
  std::string first = append(makeRead("XY999ZZ"));
  PlateEvent refinement = makeRead("XY998ZZ");
  refinement.updateOf = first;
  std::string second = append(refinement);
  PlateEvent orphan = makeRead("QQ111QQ");
  orphan.updateOf = "never-stored";
  std::string third = append(orphan);
  ASSERT_TRUE(decidedCount(3));
  // The orphan need not wait for anything, so it may be committed before the refinement.
  std::map<std::string, PlateEvent> byId;
  for (auto& event : decided()) byId[event.id] = event;
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(byId[second].decision.has_value());
  EXPECT_EQ(byId[second].decision->reason, "unknown plate");
  EXPECT_FALSE(byId[third].decision.has_value()) << "a refinement of an unknown event is undecided";
}

}  // namespace
}  // namespace lpr
