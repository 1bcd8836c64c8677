#include "gate/barrier_controller.h"

#include <gtest/gtest.h>

#include <thread>

#include "gate/barrier_test_support.h"
#include "test_env.h"

namespace lpr {
namespace {

using lpr::testing::FakeRelay;
using lpr::testing::FakeWallClock;
using lpr::testing::grantEvent;
using lpr::testing::heldFor;
using lpr::testing::RelayTimeline;
using lpr::testing::waitFor;
using namespace std::chrono_literals;

class BarrierControllerTest : public ::testing::Test {
 protected:
  std::shared_ptr<RelayTimeline> timeline_ = std::make_shared<RelayTimeline>();
  FakeWallClock clock_;
  std::map<int, std::shared_ptr<FakeRelay>> relays_;
  std::unique_ptr<BarrierController> controller_;

  void make(BarrierOptions options, std::vector<int> points = {0, 1},
            std::map<int, std::chrono::milliseconds> pulses = {}) {
    std::map<int, BarrierController::Relay> relays;
    for (int p : points) {
      relays_[p] = std::make_shared<FakeRelay>(p, timeline_);
      BarrierController::Relay relay{relays_[p], std::nullopt};
      if (pulses.count(p)) relay.pulse = pulses[p];
      relays[p] = relay;
    }
    controller_ = std::make_unique<BarrierController>(options, relays, clock_.function());
    controller_->start();
  }
  PlateEvent fresh(int accessPoint) { return grantEvent(accessPoint, clock_.now()); }
  bool waitOff(int accessPoint, std::chrono::milliseconds timeout = 5s) {
    return waitFor([&] { return !controller_->isOn(accessPoint); }, timeout, 1ms);
  }
};

TEST_F(BarrierControllerTest, StartWritesEveryRelayOff) {
  make({});
  auto events = timeline_->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].on);
  EXPECT_FALSE(events[1].on);
  EXPECT_FALSE(controller_->isOn(0));
}

TEST_F(BarrierControllerTest, GrantPulsesOnForPulseMsThenOff) {
  make({.pulse = 60ms});
  BarrierResult result = controller_->handle(fresh(0));
  EXPECT_EQ(result.outcome, BarrierOutcome::Pulsed) << result.detail;
  ASSERT_TRUE(result.onAt);
  EXPECT_TRUE(controller_->isOn(0));
  ASSERT_TRUE(waitOff(0));
  auto held = heldFor(timeline_->events(), 0);
  EXPECT_GE(held, 60ms);
  EXPECT_LT(held, 60ms + 2s);
  EXPECT_EQ(timeline_->onCount(0), 1);
  EXPECT_EQ(timeline_->onCount(1), 0);
}

TEST_F(BarrierControllerTest, PerAccessPointPulseOverridesTheDefault) {
  make({.pulse = 2000ms}, {0, 1}, {{1, 50ms}});
  EXPECT_EQ(controller_->handle(fresh(1)).outcome, BarrierOutcome::Pulsed);
  ASSERT_TRUE(waitOff(1, 1500ms)) << "the 50 ms override was not used";
  EXPECT_GE(heldFor(timeline_->events(), 1), 50ms);
}

TEST_F(BarrierControllerTest, ScreenNamesWhyAnEventDoesNotPulse) {
  make({.pulse = 50ms, .maxAge = 2000ms, .sources = {"cam"}});
  const TimePoint now = clock_.now();
  PlateEvent refused = grantEvent(0, now, false);
  EXPECT_EQ(controller_->screen(refused, now), BarrierOutcome::NotGranted);
  PlateEvent undecided = fresh(0);
  undecided.decision.reset();
  EXPECT_EQ(controller_->screen(undecided, now), BarrierOutcome::NotGranted);
  PlateEvent update = fresh(0);
  update.updateOf = "first-event";
  EXPECT_EQ(controller_->screen(update, now), BarrierOutcome::Update);
  EXPECT_EQ(controller_->screen(fresh(7), now), BarrierOutcome::Unmapped);
  PlateEvent other = fresh(0);
  other.sourceId = "cam2";
  EXPECT_EQ(controller_->screen(other, now), BarrierOutcome::OtherSource);
  EXPECT_EQ(controller_->screen(grantEvent(0, now - 1ms), now), BarrierOutcome::BeforeStart);
  EXPECT_EQ(controller_->screen(fresh(0), now), std::nullopt);
  EXPECT_EQ(controller_->screen(fresh(0), now + 2000ms), std::nullopt) << "max_age is inclusive";
  EXPECT_EQ(controller_->screen(fresh(0), now + 2001ms), BarrierOutcome::Stale);
  EXPECT_EQ(timeline_->onCount(0), 0);
}

TEST_F(BarrierControllerTest, StaleGrantIsDroppedWithoutWriting) {
  make({.pulse = 50ms, .maxAge = 2000ms});
  PlateEvent event = fresh(0);
  clock_.advance(2500ms);
  BarrierResult result = controller_->handle(event);
  EXPECT_EQ(result.outcome, BarrierOutcome::Stale);
  EXPECT_NE(result.detail.find("2500 ms"), std::string::npos) << result.detail;
  EXPECT_EQ(timeline_->onCount(0), 0);
}

TEST_F(BarrierControllerTest, GrantsFromBeforeStartNeverPulse) {
  PlateEvent replayed = fresh(0);
  clock_.advance(10ms);
  make({.pulse = 50ms, .maxAge = 60000ms});
  EXPECT_EQ(controller_->handle(replayed).outcome, BarrierOutcome::BeforeStart);
  EXPECT_EQ(timeline_->onCount(0), 0);
}

TEST_F(BarrierControllerTest, GrantWhilePulsingJoinsThePulse) {
  make({.pulse = 300ms});
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed);
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsing);
  ASSERT_TRUE(waitOff(0));
  EXPECT_EQ(timeline_->onCount(0), 1);
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed) << "a new pulse after";
  ASSERT_TRUE(waitOff(0));
  EXPECT_EQ(timeline_->onCount(0), 2);
}

TEST_F(BarrierControllerTest, InterlockWaitsForThePartnersPulseAndTheWait) {
  make({.pulse = 80ms, .interlockWait = 40ms, .interlockGroups = {{0, 1}}});
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed);
  BarrierResult second = controller_->handle(fresh(1));  // blocks until 0 is off + 40 ms
  EXPECT_EQ(second.outcome, BarrierOutcome::Pulsed) << second.detail;
  ASSERT_TRUE(waitOff(1));
  auto events = timeline_->events();
  EXPECT_TRUE(timeline_->neverTogether({0, 1}));
  std::optional<std::chrono::steady_clock::time_point> on0, off0, on1;
  for (const auto& e : events) {
    if (e.accessPoint == 0 && e.on) on0 = e.at;
    if (e.accessPoint == 0 && !e.on && on0) off0 = e.at;
    if (e.accessPoint == 1 && e.on) on1 = e.at;
  }
  ASSERT_TRUE(off0 && on1);
  EXPECT_GE(*on1 - *off0, 40ms);
}

TEST_F(BarrierControllerTest, RelaysOutsideTheGroupDoNotWait) {
  make({.pulse = 2000ms, .interlockGroups = {{0, 1}}}, {0, 1, 2});
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed);
  EXPECT_EQ(controller_->handle(fresh(2)).outcome, BarrierOutcome::Pulsed);
  EXPECT_TRUE(controller_->isOn(0));
  EXPECT_TRUE(controller_->isOn(2));
}

TEST_F(BarrierControllerTest, InterlockHoldsUnderConcurrentGrants) {
  make({.pulse = 15ms, .maxAge = 60000ms, .interlockWait = 3ms, .interlockGroups = {{0, 1}}});
  std::vector<std::thread> threads;
  std::atomic<int> pulsed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        auto result = controller_->handle(grantEvent((t + i) % 2, clock_.now()));
        if (result.outcome == BarrierOutcome::Pulsed) ++pulsed;
        EXPECT_TRUE(result.outcome == BarrierOutcome::Pulsed ||
                    result.outcome == BarrierOutcome::Pulsing)
            << toString(result.outcome) << " " << result.detail;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(waitOff(0) && waitOff(1));
  EXPECT_GE(pulsed.load(), 4);
  EXPECT_GE(timeline_->onCount(0), 1);
  EXPECT_GE(timeline_->onCount(1), 1);
  EXPECT_TRUE(timeline_->neverTogether({0, 1}));
}

TEST_F(BarrierControllerTest, AGrantThatExpiresWaitingForTheInterlockIsStale) {
  make({.pulse = 1500ms, .maxAge = 100ms, .interlockGroups = {{0, 1}}});
  EXPECT_EQ(controller_->open(0).outcome, BarrierOutcome::Pulsed);
  BarrierResult result = controller_->handle(fresh(1));
  EXPECT_EQ(result.outcome, BarrierOutcome::Stale);
  EXPECT_NE(result.detail.find("interlock"), std::string::npos) << result.detail;
  EXPECT_EQ(timeline_->onCount(1), 0);
}

TEST_F(BarrierControllerTest, UnreachableLeavesTheRelayUnknownUntilAnOffSucceeds) {
  make({.pulse = 50ms, .maxAge = 60000ms, .offRetry = 20ms, .interlockGroups = {{0, 1}}});
  relays_[0]->mode = RelayWrite::Kind::Unreachable;
  BarrierResult result = controller_->handle(fresh(0));
  EXPECT_EQ(result.outcome, BarrierOutcome::Unreachable);
  EXPECT_NE(result.detail.find("connection refused"), std::string::npos);
  EXPECT_TRUE(controller_->isOn(0)) << "unknown counts as on";
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Unreachable);
  EXPECT_EQ(controller_->handle(fresh(1)).outcome, BarrierOutcome::Unreachable)
      << "its interlock partner must not go on either";
  const int before = relays_[0]->writes;
  ASSERT_TRUE(waitFor([&] { return relays_[0]->writes > before + 1; }, 5s, 1ms))
      << "the timer keeps trying the off";
  relays_[0]->mode = RelayWrite::Kind::Ok;
  ASSERT_TRUE(waitOff(0));
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed);
  ASSERT_TRUE(waitOff(0));
  EXPECT_TRUE(timeline_->neverTogether({0, 1}));
}

TEST_F(BarrierControllerTest, RefusedWriteLeavesTheRelayOff) {
  make({.pulse = 50ms});
  relays_[1]->mode = RelayWrite::Kind::Refused;
  BarrierResult result = controller_->handle(fresh(1));
  EXPECT_EQ(result.outcome, BarrierOutcome::Refused);
  EXPECT_NE(result.detail.find("Illegal data address"), std::string::npos);
  EXPECT_FALSE(controller_->isOn(1));
}

TEST_F(BarrierControllerTest, PrecheckOpenSkipsThePulse) {
  make({.pulse = 50ms});
  relays_[0]->precheckOpen = true;
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::AlreadyOpen);
  EXPECT_EQ(timeline_->onCount(0), 0);
  relays_[0]->precheckOpen = false;
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed);
}

TEST_F(BarrierControllerTest, ManualOpenHasNoAgeRuleButKeepsTheInterlock) {
  make({.pulse = 60ms, .interlockWait = 10ms, .interlockGroups = {{0, 1}}});
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(controller_->open(0).outcome, BarrierOutcome::Pulsed);
  EXPECT_EQ(controller_->open(1).outcome, BarrierOutcome::Pulsed);
  EXPECT_EQ(controller_->open(5).outcome, BarrierOutcome::Unmapped);
  ASSERT_TRUE(waitOff(1));
  EXPECT_TRUE(timeline_->neverTogether({0, 1}));
}

TEST_F(BarrierControllerTest, StopEndsAPulseInProgress) {
  make({.pulse = 30000ms});
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Pulsed);
  auto before = std::chrono::steady_clock::now();
  controller_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  auto events = timeline_->events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().accessPoint, 0);
  EXPECT_FALSE(events.back().on);
  EXPECT_EQ(controller_->handle(fresh(0)).outcome, BarrierOutcome::Stopping);
  controller_->stop();  // idempotent
}

}  // namespace
}  // namespace lpr
