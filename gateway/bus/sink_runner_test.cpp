#include "bus/sink_runner.h"

#include <Poco/Data/Session.h>
#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "metrics/metrics.h"
#include "plugin/plugin.h"
#include "storage/event_store.h"
#include "test_env.h"

namespace lpr {
namespace {

// A sink whose answers the test scripts per plate; records every attempt.
class ScriptedSink : public Sink {
 public:
  void configure(PluginContext&) override {}
  Delivery deliver(const PlateEvent& e) override {
    std::lock_guard lock(mutex_);
    attempts_.push_back(e.plate);
    auto it = failuresLeft_.find(e.plate);
    if (it != failuresLeft_.end() && it->second > 0) {
      --it->second;
      return Delivery::retry("scripted", std::chrono::milliseconds(1));
    }
    if (rejects_.count(e.plate)) return Delivery::reject("scripted reject");
    delivered_.push_back(e.plate);
    return Delivery::ok();
  }
  // All of a batch is attempted (like MQTT with several messages in flight).
  std::vector<Delivery> deliverBatch(const std::vector<PlateEvent>& events) override {
    std::vector<Delivery> out;
    for (const auto& e : events) out.push_back(deliver(e));
    return out;
  }
  std::size_t maxBatch() const override { return 8; }

  void failTimes(const std::string& plate, int n) { failuresLeft_[plate] = n; }
  void reject(const std::string& plate) { rejects_.insert(plate); }
  std::vector<std::string> delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  std::vector<std::string> attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, int> failuresLeft_;
  std::set<std::string> rejects_;
  std::vector<std::string> delivered_, attempts_;
};

class SinkRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.path = dir_.file("events.db");
    store_ = std::make_unique<EventStore>(o, metrics_);
  }
  void append(const std::string& plate) {
    PlateEvent e;
    e.id = newUuid();
    e.sourceId = "cam";
    e.plate = plate;
    e.receivedAt = Clock::now();
    store_->append(e);
  }
  testing::ScratchDir dir_{"lpr-runner"};
  Metrics metrics_;
  std::unique_ptr<EventStore> store_;
  ScriptedSink sink_;
};

TEST_F(SinkRunnerTest, DeliversEverythingInOrderOnce) {
  SinkRunner runner("out", sink_, *store_, metrics_, Poco::Logger::get("test"));
  runner.start();
  for (int i = 0; i < 50; ++i) append("P" + std::to_string(i));
  ASSERT_TRUE(testing::waitFor([&] { return sink_.delivered().size() == 50; }));
  auto d = sink_.delivered();
  for (int i = 0; i < 50; ++i) EXPECT_EQ(d[i], "P" + std::to_string(i));
  EXPECT_TRUE(testing::waitFor([&] { return store_->cursor("out") == 50; }));
  EXPECT_EQ(runner.pending(), 0);
}

TEST_F(SinkRunnerTest, ARetriedEventIsRetriedAndThoseConfirmedAfterItAreNotSentTwice) {
  sink_.failTimes("B", 2);
  store_->openCursor("out");  // at 0: the runner will see all four in one read
  append("A");
  append("B");
  append("C");
  append("D");
  SinkRunner runner("out", sink_, *store_, metrics_, Poco::Logger::get("test"));
  runner.start();
  ASSERT_TRUE(testing::waitFor([&] { return sink_.delivered().size() == 4; }));
  auto attempts = sink_.attempts();
  EXPECT_EQ(std::count(attempts.begin(), attempts.end(), "B"), 3);
  EXPECT_EQ(std::count(attempts.begin(), attempts.end(), "C"), 1);
  EXPECT_EQ(std::count(attempts.begin(), attempts.end(), "D"), 1);
  EXPECT_TRUE(testing::waitFor([&] { return store_->cursor("out") == 4; }));
}

TEST_F(SinkRunnerTest, RejectedEventsAreCountedAndPassed) {
  SinkRunner runner("out", sink_, *store_, metrics_, Poco::Logger::get("test"));
  runner.start();
  sink_.reject("BAD");
  append("OK1");
  append("BAD");
  append("OK2");
  ASSERT_TRUE(testing::waitFor([&] { return store_->cursor("out") == 3; }));
  EXPECT_EQ(sink_.delivered(), (std::vector<std::string>{"OK1", "OK2"}));
  EXPECT_NE(metrics_.renderPrometheus().find("lpr_events_rejected_total{plugin=\"out\"} 1"),
            std::string::npos);
}

TEST_F(SinkRunnerTest, AnUnreadableRowIsSkippedAndCountedNotRetriedForever) {
  store_->openCursor("out");
  append("A");
  append("B");
  append("C");
  {
    Poco::Data::Session raw("SQLite", dir_.file("events.db"));
    raw << "UPDATE events SET body = 'not json' WHERE seq = 2", Poco::Data::Keywords::now;
  }
  SinkRunner runner("out", sink_, *store_, metrics_, Poco::Logger::get("test"));
  runner.start();
  ASSERT_TRUE(testing::waitFor([&] { return store_->cursor("out") == 3; }));
  EXPECT_EQ(sink_.delivered(), (std::vector<std::string>{"A", "C"}));
  EXPECT_NE(metrics_.renderPrometheus().find("lpr_errors_total{kind=\"store_unreadable\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace lpr
