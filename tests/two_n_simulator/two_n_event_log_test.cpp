#include "two_n_event_log.h"

#include <gtest/gtest.h>

#include <future>

#include "test_env.h"
#include "two_n_reply.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

TEST(TwoNEventLog, NewChannelSeesOnlyLaterEventsAndAllSeesHistory) {
  TwoNEventLog log;
  log.append("DeviceState", R"({"state":"startup"})");
  const auto fresh = log.subscribe({}, "new", 90s);
  const auto history = log.subscribe({}, "all", 90s);
  log.append("SwitchStateChanged", R"({"switch":1,"state":true})");

  const auto seen = log.pull(fresh, 0ms);
  ASSERT_TRUE(seen);
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].event, "SwitchStateChanged");
  EXPECT_EQ((*seen)[0].id, 2u);
  EXPECT_TRUE((*seen)[0].params()->getValue<bool>("state"));

  const auto all = log.pull(history, 0ms);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].event, "DeviceState");
  // The cursor moved: nothing is delivered twice.
  EXPECT_TRUE(log.pull(history, 0ms)->empty());
}

TEST(TwoNEventLog, FilterKeepsOnlyTheNamedEvents) {
  TwoNEventLog log;
  const auto id = log.subscribe({"LicensePlateRecognized"}, "new", 90s);
  log.append("DeviceState", "{}");
  log.append("LicensePlateRecognized", R"({"licensePlate":"AB1"})");
  const auto seen = log.pull(id, 0ms);
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].event, "LicensePlateRecognized");
}

TEST(TwoNEventLog, BufferKeepsTheNewestEventsAndPullsComeInBatches) {
  TwoNEventLog small(5);
  for (int i = 0; i < 8; ++i) small.append("E", "{}");
  const auto events = small.events();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events.front().id, 4u);
  EXPECT_EQ(events.back().id, 8u);

  TwoNEventLog log;
  const auto id = log.subscribe({}, "new", 90s);
  for (int i = 0; i < 300; ++i) log.append("E", "{}");
  EXPECT_EQ(log.pull(id, 0ms)->size(), TwoNEventLog::kPullBatch);
  EXPECT_EQ(log.pull(id, 0ms)->size(), TwoNEventLog::kPullBatch);
  EXPECT_EQ(log.pull(id, 0ms)->size(), 300u - 2 * TwoNEventLog::kPullBatch);
}

TEST(TwoNEventLog, ChannelsDieWithUnsubscribeAndRestart) {
  TwoNEventLog log;
  EXPECT_FALSE(log.pull(12345, 0ms));
  const auto first = log.subscribe({}, "new", 90s);
  EXPECT_TRUE(log.unsubscribe(first));
  EXPECT_FALSE(log.unsubscribe(first));
  EXPECT_FALSE(log.pull(first, 0ms));

  const auto second = log.subscribe({}, "new", 90s);
  log.append("E", "{}");
  log.restart();
  EXPECT_FALSE(log.pull(second, 0ms));
  EXPECT_TRUE(log.events().empty());
  EXPECT_EQ(log.append("E", "{}").id, 1u);
  EXPECT_THROW(log.subscribe({}, "yesterday", 90s), TwoNError);
}

TEST(TwoNEventLog, LongPollWakesWhenAnEventArrives) {
  TwoNEventLog log;
  const auto id = log.subscribe({}, "new", 90s);
  const auto started = std::chrono::steady_clock::now();
  auto pulled = std::async(std::launch::async, [&] { return log.pull(id, 30s); });
  ASSERT_TRUE(waitFor([&] { return log.waitingPulls() == 1; }));
  log.append("LicensePlateRecognized", "{}");
  const auto events = pulled.get();
  ASSERT_TRUE(events);
  EXPECT_EQ(events->size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(log.waitingPulls(), 0u);
}

TEST(TwoNEventLog, LongPollEndsEmptyAfterItsTimeout) {
  TwoNEventLog log;
  const auto id = log.subscribe({"Wanted"}, "new", 90s);
  log.append("Unwanted", "{}");
  const auto started = std::chrono::steady_clock::now();
  const auto events = log.pull(id, 200ms);
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
}

TEST(TwoNEventLog, ShutdownReleasesWaitingPulls) {
  TwoNEventLog log;
  const auto id = log.subscribe({}, "new", 90s);
  auto pulled = std::async(std::launch::async, [&] { return log.pull(id, 60s); });
  ASSERT_TRUE(waitFor([&] { return log.waitingPulls() == 1; }));
  log.shutdown();
  EXPECT_EQ(pulled.wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace lpr::testing
