#include "storage/event_store.h"

#include <Poco/File.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "metrics/metrics.h"
#include "test_env.h"

namespace lpr {
namespace {

PlateEvent makeEvent(const std::string& source, const std::string& vendorId,
                     const std::string& plate) {
  PlateEvent e;
  e.id = newUuid();
  e.sourceId = source;
  e.sourceEventId = vendorId;
  e.plate = plate;
  e.plateRaw = plate;
  e.receivedAt = e.capturedAt = Clock::now();
  return e;
}

class EventStoreTest : public ::testing::Test {
 protected:
  StoreOptions options() {
    StoreOptions o;
    o.path = dir_.file("events.db");
    return o;
  }
  testing::ScratchDir dir_{"lpr-store"};
  Metrics metrics_;
};

TEST_F(EventStoreTest, AppendsInOrderAndReadsBack) {
  EventStore store(options(), metrics_);
  for (int i = 0; i < 5; ++i) {
    auto r = store.append(makeEvent("cam", "u" + std::to_string(i), "AB" + std::to_string(i)));
    ASSERT_EQ(r.status, EventStore::AppendResult::Status::Stored);
    EXPECT_EQ(r.seq, i + 1);
  }
  EXPECT_EQ(store.head(), 5);
  auto events = store.readAfter(2, 10);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].seq, 3);
  EXPECT_EQ(events[0].plate, "AB2");
  EXPECT_EQ(events[2].sourceEventId, "u4");
}

TEST_F(EventStoreTest, SameVendorIdFromSameSourceIsADuplicate) {
  EventStore store(options(), metrics_);
  auto first = store.append(makeEvent("cam", "same", "AB1"));
  auto again = store.append(makeEvent("cam", "same", "AB1"));
  auto other = store.append(makeEvent("cam2", "same", "AB1"));
  auto noId1 = store.append(makeEvent("cam", "", "AB1"));
  auto noId2 = store.append(makeEvent("cam", "", "AB1"));
  EXPECT_EQ(again.status, EventStore::AppendResult::Status::Duplicate);
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.seq, first.seq);
  EXPECT_EQ(other.status, EventStore::AppendResult::Status::Stored);
  EXPECT_EQ(noId1.status, EventStore::AppendResult::Status::Stored);
  EXPECT_EQ(noId2.status, EventStore::AppendResult::Status::Stored);
  EXPECT_EQ(store.head(), 4);
}

TEST_F(EventStoreTest, CursorsAndEventsSurviveReopen) {
  {
    EventStore store(options(), metrics_);
    EXPECT_EQ(store.openCursor("mqtt"), 0);
    for (int i = 0; i < 3; ++i) store.append(makeEvent("cam", "u" + std::to_string(i), "X"));
    store.advanceCursor("mqtt", 2);
    store.close();
  }
  EventStore store(options(), metrics_);
  EXPECT_EQ(store.head(), 3);
  EXPECT_EQ(store.openCursor("mqtt"), 2);
  // A sink that appears later starts at the present.
  EXPECT_EQ(store.openCursor("new_sink"), 3);
}

TEST_F(EventStoreTest, ConcurrentAppendsAreAllCommittedOnce) {
  EventStore store(options(), metrics_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        store.append(makeEvent("cam", std::to_string(t) + "-" + std::to_string(i), "P"));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.head(), 400);
  auto all = store.readAfter(0, 1000);
  ASSERT_EQ(all.size(), 400u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
}

TEST_F(EventStoreTest, RetentionBySizeCountsWhatNoSinkDelivered) {
  auto o = options();
  o.maxEvents = 100;
  EventStore store(o, metrics_);
  store.openCursor("slow");
  for (int i = 0; i < 130; ++i) store.append(makeEvent("cam", std::to_string(i), "P"));
  store.advanceCursor("slow", 10);
  EXPECT_EQ(store.pruneNow(), 30u);
  auto left = store.readAfter(0, 1000);
  ASSERT_EQ(left.size(), 100u);
  EXPECT_EQ(left.front().seq, 31);
  EXPECT_EQ(store.cursor("slow"), 30);
  // 20 of the 30 removed events (11..30) had not reached the sink.
  EXPECT_NE(metrics_.renderPrometheus().find("lpr_store_dropped_total{stream=\"reads\"} 20"),
            std::string::npos);
}

TEST_F(EventStoreTest, AppendAfterCloseFailsInsteadOfHanging) {
  EventStore store(options(), metrics_);
  store.close();
  auto r = store.append(makeEvent("cam", "x", "P"));
  EXPECT_EQ(r.status, EventStore::AppendResult::Status::Failed);
}

}  // namespace
}  // namespace lpr

namespace lpr {
namespace {

TEST_F(EventStoreTest, ProbeAnswersWhileTheWriterRunsAndNotWhileItHangs) {
  EventStore store(options(), metrics_);
  EXPECT_TRUE(store.probe(std::chrono::seconds(5)));
  // A writer stuck inside a commit (here: in its commit listener) must fail the probe, so the
  // watchdog stops being fed.
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  store.setCommitListener([&entered, released] {
    entered.set_value();
    released.wait();
  });
  std::thread appender([&] { store.append(makeEvent("cam", "hang", "AB1")); });
  entered.get_future().wait();
  EXPECT_FALSE(store.probe(std::chrono::milliseconds(200)));
  store.setCommitListener({});  // the next commit must not enter it again
  release.set_value();
  appender.join();
  EXPECT_TRUE(store.probe(std::chrono::seconds(5)));
  store.close();
  EXPECT_FALSE(store.probe(std::chrono::seconds(1)));
}

TEST(EventStoreRetentionTest, EventsOlderThanMaxAgeAreRemovedWithTheirSnapshots) {
  testing::ScratchDir dir("lpr-store-age");
  Metrics metrics;
  StoreOptions o;
  o.path = dir.file("events.db");
  o.maxAge = std::chrono::hours(1);
  EventStore store(o, metrics);
  store.openCursor("sink");
  PlateEvent old;
  old.id = newUuid();
  old.sourceId = "cam";
  old.receivedAt = Clock::now() - std::chrono::hours(2);
  old.imagePath = dir.file("old.jpg");
  testing::writeFile(old.imagePath, "jpeg");
  store.append(old);
  PlateEvent fresh = old;
  fresh.id = newUuid();
  fresh.receivedAt = Clock::now();
  fresh.imagePath.clear();
  store.append(fresh);
  EXPECT_EQ(store.pruneNow(), 1u);
  auto left = store.readAfter(0, 10);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, fresh.id);
  EXPECT_FALSE(Poco::File(old.imagePath).exists());
  EXPECT_NE(metrics.renderPrometheus().find("lpr_store_dropped_total{stream=\"reads\"} 1"),
            std::string::npos);
}

TEST_F(EventStoreTest, QueryFiltersNewestFirst) {
  EventStore store(options(), metrics_);
  const TimePoint t0 = Clock::now() - std::chrono::hours(1);
  auto add = [&](const std::string& plate, const std::string& source, int ap,
                 std::optional<bool> valid, int minutes) {
    PlateEvent e = makeEvent(source, "", plate);
    e.accessPoint = ap;
    e.receivedAt = t0 + std::chrono::minutes(minutes);
    if (valid) {
      e.decision = Decision{};
      e.decision->valid = *valid;
      e.decision->decidedBy = "2n";
    }
    EXPECT_EQ(store.append(e).status, EventStore::AppendResult::Status::Stored);
    return e.id;
  };
  add("AB123CD", "gate1", 0, true, 0);
  add("ZZ999ZZ", "gate1", 0, false, 1);
  std::string exit = add("AB123CD", "gate2", 1, true, 2);
  add("AB123CD", "gate1", 0, std::nullopt, 3);

  EventQuery byPlate;
  byPlate.plate = "AB123CD";
  auto events = store.query(byPlate);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_GT(events[0].seq, events[1].seq) << "newest first";

  EventQuery granted;
  granted.valid = true;
  EXPECT_EQ(store.query(granted).size(), 2u);
  EventQuery refused;
  refused.valid = false;
  ASSERT_EQ(store.query(refused).size(), 1u) << "undecided events match neither";
  EXPECT_EQ(store.query(refused)[0].plate, "ZZ999ZZ");

  EventQuery atExit;
  atExit.source = "gate2";
  atExit.accessPoint = 1;
  ASSERT_EQ(store.query(atExit).size(), 1u);
  EXPECT_EQ(store.query(atExit)[0].id, exit);

  EventQuery window;
  window.from = t0 + std::chrono::minutes(1);
  window.to = t0 + std::chrono::minutes(3);
  EXPECT_EQ(store.query(window).size(), 2u);

  EventQuery page;
  page.limit = 2;
  auto first = store.query(page);
  ASSERT_EQ(first.size(), 2u);
  page.beforeSeq = first.back().seq;
  EXPECT_EQ(store.query(page).size(), 2u);

  EventQuery one;
  one.id = exit;
  ASSERT_EQ(store.query(one).size(), 1u);
}

}  // namespace
}  // namespace lpr
