#include "mqtt_reconnector.h"

#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "test_env.h"

namespace lpr::mqtt_link {
namespace {

using lpr::testing::waitFor;
using namespace std::chrono_literals;

// The link stands in for paho: the reconnector only ever sees these two calls.
struct ScriptedLink {
  std::shared_ptr<std::atomic<bool>> connected = std::make_shared<std::atomic<bool>>(true);
  std::atomic<int> attempts{0};
  std::atomic<int> failuresLeft{0};
  std::atomic<bool> alive{true};
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::time_point> attemptTimes;

  Reconnector::Link link() {
    return {[this]() -> std::string {
              {
                std::lock_guard<std::mutex> lock(mutex);
                attemptTimes.push_back(std::chrono::steady_clock::now());
              }
              ++attempts;
              if (failuresLeft > 0) {
                --failuresLeft;
                return "broker down";
              }
              connected->store(true);
              alive = true;
              return {};
            },
            [this] { return alive.load(); }};
  }
};

TEST(MqttReconnectorTest, ALossIsFollowedByAttemptsUntilOneSucceeds) {
  ScriptedLink link;
  Reconnector reconnector(Poco::Logger::get("test"), "tcp://127.0.0.1:1", link.connected);
  reconnector.start(link.link());
  link.failuresLeft = 2;
  reconnector.lost();
  ASSERT_TRUE(waitFor([&] { return link.attempts == 3 && link.connected->load(); }, 10s));
  EXPECT_TRUE(waitFor([&] { return reconnector.lastError().empty(); }, 5s));
  reconnector.stop();
  EXPECT_EQ(link.attempts, 3);
}

TEST(MqttReconnectorTest, AFailedAttemptIsTheLastErrorUntilASuccess) {
  ScriptedLink link;
  Reconnector reconnector(Poco::Logger::get("test"), "tcp://127.0.0.1:1", link.connected);
  reconnector.failed("not authorised");
  EXPECT_EQ(reconnector.lastError(), "not authorised");
  reconnector.start(link.link());  // a start follows the plugin's own successful connect
  EXPECT_EQ(reconnector.lastError(), "");
  link.failuresLeft = 1'000'000;
  reconnector.lost();
  ASSERT_TRUE(waitFor([&] { return reconnector.lastError() == "broker down"; }, 5s));
  EXPECT_FALSE(link.connected->load());
}

TEST(MqttReconnectorTest, StartedWhileNotConnectedItConnectsAtOnce) {
  ScriptedLink link;
  link.connected->store(false);
  link.failuresLeft = 1;
  Reconnector reconnector(Poco::Logger::get("test"), "tcp://127.0.0.1:1", link.connected);
  reconnector.start(link.link());
  // "connecting" until the first attempt says otherwise.
  const std::string first = reconnector.lastError();
  EXPECT_TRUE(first == "connecting" || first == "broker down") << first;
  // The flag goes up inside the attempt, the error is cleared just after it.
  ASSERT_TRUE(
      waitFor([&] { return link.connected->load() && reconnector.lastError().empty(); }, 5s))
      << reconnector.lastError();
  EXPECT_EQ(link.attempts, 2);
}

TEST(MqttReconnectorTest, FailingAttemptsAreSpacedByADoublingBackoff) {
  ScriptedLink link;
  Reconnector reconnector(Poco::Logger::get("test"), "tcp://127.0.0.1:1", link.connected);
  reconnector.start(link.link());
  link.failuresLeft = 1'000'000;
  reconnector.lost();
  ASSERT_TRUE(waitFor([&] { return link.attempts >= 4; }, 10s));
  reconnector.stop();
  std::lock_guard<std::mutex> lock(link.mutex);
  // Lower bounds only: a wait never ends before its time, however loaded the machine is.
  EXPECT_GE(link.attemptTimes[1] - link.attemptTimes[0], 250ms);
  EXPECT_GE(link.attemptTimes[2] - link.attemptTimes[1], 500ms);
  EXPECT_GE(link.attemptTimes[3] - link.attemptTimes[2], 1000ms);
  EXPECT_GT(reconnector.untilNextAttempt(), 0ms);
}

TEST(MqttReconnectorTest, ADeadLinkPahoDidNotReportIsFoundAndReconnected) {
  ScriptedLink link;
  Reconnector reconnector(Poco::Logger::get("test"), "tcp://127.0.0.1:1", link.connected);
  reconnector.start(link.link());
  link.alive = false;  // connected is still true: no loss was reported
  ASSERT_TRUE(waitFor([&] { return link.attempts == 1; }, 10s));
  EXPECT_TRUE(waitFor([&] { return link.connected->load(); }, 5s));
}

TEST(MqttReconnectorTest, StopEndsTheAttemptsAndStartMayFollow) {
  ScriptedLink link;
  Reconnector reconnector(Poco::Logger::get("test"), "tcp://127.0.0.1:1", link.connected);
  reconnector.start(link.link());
  link.failuresLeft = 1'000'000;
  reconnector.lost();
  ASSERT_TRUE(waitFor([&] { return link.attempts >= 1; }, 5s));
  reconnector.stop();
  const int attempts = link.attempts;
  link.failuresLeft = 0;
  reconnector.start(link.link());
  reconnector.lost();
  ASSERT_TRUE(waitFor([&] { return link.connected->load(); }, 5s));
  EXPECT_GT(link.attempts, attempts);
}

}  // namespace
}  // namespace lpr::mqtt_link
