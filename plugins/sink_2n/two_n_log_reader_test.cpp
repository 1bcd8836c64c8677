// TwoNLogReader against the full 2N device simulator: plate verdicts reach the callback,
// restarts and DeviceState lead to a new channel without losing or repeating events, an
// unreachable device is retried with backoff, and stop() does not wait for a parked long poll.
#include "two_n_log_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "fake_plugin_context.h"
#include "simulator_test_support.h"
#include "sink_2n.h"
#include "test_env.h"
#include "two_n_simulator.h"

namespace lpr::plugins::sink_2n {
namespace {

using lpr::testing::FakePluginContext;
using lpr::testing::TwoNSimulator;
using lpr::testing::TwoNUser;
using lpr::testing::waitFor;

PlateEvent makeEvent(int n, const std::string& plate) {
  return simulatorTestEvent("log", n, plate, 700);
}

class TwoNLogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lpr::testing::TwoNSimulatorOptions options;
    // The device's clock, so that a restart can take the time a real one takes.
    options.wallClock = [this] {
      return std::chrono::system_clock::time_point(std::chrono::seconds(deviceTime_.load()));
    };
    simulator_ = std::make_unique<TwoNSimulator>(options);
    simulator_->start();
    TwoNUser user;
    user.name = "Jana Novak";
    user.plates = {"AB123CD"};
    janaUuid_ = simulator_->addUser(user);
  }

  TwoNLogReaderOptions readerOptions() const {
    TwoNLogReaderOptions options;
    options.client = clientOptionsFor(*simulator_);
    options.pullTimeout = std::chrono::seconds(30);  // stop() must not depend on it
    options.backoffMin = std::chrono::milliseconds(10);
    options.backoffMax = std::chrono::milliseconds(100);
    return options;
  }

  void startReader(TwoNLogReaderOptions options) {
    reader_ = std::make_unique<TwoNLogReader>(std::move(options), [this](const TwoNLogEvent& e) {
      std::lock_guard lock(mutex_);
      received_.push_back(e);
    });
    reader_->start();
  }

  // The reader's channel exists and its pull is parked: later events reach it.
  bool parked() const { return reader_->channelId() != 0 && simulator_->waitingPulls() == 1; }

  void startSink() {
    ctx_.set("host", "127.0.0.1:" + std::to_string(simulator_->boundPort()))
        .set("username", simulator_->options().username)
        .set("password", simulator_->options().password)
        .set("tls.fingerprint_sha256", simulator_->certificateSha256())
        .set("timeout_ms", "3000")
        // The sink only forwards here; the reader under test is the one channel on the device.
        .set("verdicts.enabled", "false")
        .set("mirror.enabled", "false");
    sink_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    ASSERT_EQ(sink_.start().kind, StartResult::Kind::Ok);
  }

  std::vector<TwoNLogEvent> received(const std::string& name) const {
    std::lock_guard lock(mutex_);
    std::vector<TwoNLogEvent> out;
    for (const auto& e : received_) {
      if (e.event == name) out.push_back(e);
    }
    return out;
  }

  void TearDown() override {
    if (reader_) reader_->stop();
    sink_.stop();
  }

  std::atomic<std::int64_t> deviceTime_{1800000000};
  std::unique_ptr<TwoNSimulator> simulator_;
  std::string janaUuid_;
  std::unique_ptr<TwoNLogReader> reader_;
  FakePluginContext ctx_{"door2n"};
  Sink2n sink_;
  mutable std::mutex mutex_;
  std::vector<TwoNLogEvent> received_;
};

TEST_F(TwoNLogReaderTest, ForwardedPlatesArriveAsLicensePlateRecognized) {
  startSink();
  startReader(readerOptions());
  ASSERT_TRUE(waitFor([&] { return parked(); }));

  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_EQ(sink_.deliver(makeEvent(2, "ZZ999ZZ")).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 2; }));

  const auto events = received("LicensePlateRecognized");
  const auto device = simulator_->events("LicensePlateRecognized");
  ASSERT_EQ(device.size(), 2u);
  EXPECT_EQ(events[0].id, device[0].id);
  EXPECT_EQ(events[0].utcTime, device[0].utcTime);
  EXPECT_EQ(events[0].params->getValue<std::string>("licensePlate"), "AB123CD");
  EXPECT_EQ(events[0].params->getValue<int>("ap"), 0);
  EXPECT_TRUE(events[0].params->getValue<bool>("valid"));
  EXPECT_EQ(events[0].params->getValue<std::string>("uuid"), janaUuid_);
  // A plate of nobody: not valid, and no uuid (2n-http-api.md §3).
  EXPECT_EQ(events[1].params->getValue<std::string>("licensePlate"), "ZZ999ZZ");
  EXPECT_FALSE(events[1].params->getValue<bool>("valid"));
  EXPECT_FALSE(events[1].params->has("uuid"));
  // The valid plate opened the door: that is in the filter as well.
  EXPECT_TRUE(waitFor([&] { return !received("SwitchStateChanged").empty(); }));
  EXPECT_EQ(reader_->stats().subscriptions, 1u);
}

TEST_F(TwoNLogReaderTest, ResubscribesAfterADeviceRestartAndLosesNothing) {
  startSink();
  startReader(readerOptions());
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 1; }));
  const std::uint32_t before = reader_->channelId();

  // A power cut: the parked pull is cut, the old channel id is unknown afterwards. The plate
  // read right after the boot is logged before the reader can have a new channel.
  deviceTime_ += 40;  // a real device takes tens of seconds to boot
  simulator_->restart();
  // The sink's first request after the restart may fail (its client offers a TLS session the
  // device forgot); the core would retry it, as this does.
  ASSERT_TRUE(
      waitFor([&] { return sink_.deliver(makeEvent(2, "AB123CD")).kind == Delivery::Kind::Ok; }));

  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 2; }));
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  EXPECT_NE(reader_->channelId(), before);
  EXPECT_GE(reader_->stats().subscriptions, 2u);
  ASSERT_EQ(received("DeviceState").size(), 1u);
  EXPECT_EQ(received("DeviceState")[0].params->getValue<std::string>("state"), "startup");

  // And the new channel carries later events, each once.
  ASSERT_EQ(sink_.deliver(makeEvent(3, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 3; }));
  const auto events = received("LicensePlateRecognized");
  const auto device = simulator_->events("LicensePlateRecognized");  // since the restart
  ASSERT_EQ(device.size(), 2u);
  EXPECT_EQ(events[1].id, device[0].id);
  EXPECT_EQ(events[2].id, device[1].id);
  EXPECT_EQ(received("DeviceState").size(), 1u);
}

TEST_F(TwoNLogReaderTest, ARestartRightAfterARecordLosesNothingAndRepeatsNothing) {
  startSink();
  startReader(readerOptions());
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_EQ(sink_.deliver(makeEvent(2, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 2; }));
  // Nothing moves the test's device clock: only the simulated boot time (bootDuration) puts the
  // new boot's records, whose ids start again at 1, later than the last one delivered.
  simulator_->restart();
  ASSERT_TRUE(
      waitFor([&] { return sink_.deliver(makeEvent(3, "AB123CD")).kind == Delivery::Kind::Ok; }));
  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 3; }));
  ASSERT_TRUE(waitFor([&] { return received("DeviceState").size() == 1; }));
  // The replay after the resubscription that DeviceState causes repeats nothing.
  ASSERT_EQ(sink_.deliver(makeEvent(4, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return received("LicensePlateRecognized").size() == 4; }));
  EXPECT_EQ(received("DeviceState").size(), 1u);
  EXPECT_EQ(received("LicensePlateRecognized").size(), 4u);
}

TEST_F(TwoNLogReaderTest, DeviceStateOnALiveChannelLeadsToANewChannel) {
  startReader(readerOptions());
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  const std::uint32_t before = reader_->channelId();
  simulator_->logEvent("DeviceState", R"({"state":"startup"})");
  ASSERT_TRUE(waitFor([&] { return reader_->stats().subscriptions == 2 && parked(); }));
  EXPECT_NE(reader_->channelId(), before);
  EXPECT_EQ(simulator_->logChannels(), 1u);  // the old one was unsubscribed

  simulator_->logEvent("UserRejected", R"({"ap":0,"session":1,"reason":"invalidTime"})");
  ASSERT_TRUE(waitFor([&] { return received("UserRejected").size() == 1; }));
  // The replayed history did not deliver the DeviceState a second time.
  EXPECT_EQ(received("DeviceState").size(), 1u);
}

TEST_F(TwoNLogReaderTest, FilteredOutEventsAreNotDelivered) {
  startReader(readerOptions());
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  simulator_->logEvent("MotionDetected", R"({"state":"in"})");
  simulator_->logEvent("UserAuthenticated", R"({"ap":0,"session":2,"name":"Jana"})");
  ASSERT_TRUE(waitFor([&] { return received("UserAuthenticated").size() == 1; }));
  EXPECT_TRUE(received("MotionDetected").empty());
}

TEST_F(TwoNLogReaderTest, BacksOffWhileUnreachableAndConnectsWhenTheDeviceIsBack) {
  simulator_->stop();
  startReader(readerOptions());
  ASSERT_TRUE(waitFor([&] { return reader_->stats().failures >= 3; }));
  TwoNLogReaderStats stats = reader_->stats();
  EXPECT_FALSE(stats.connected);
  EXPECT_EQ(stats.subscriptions, 0u);
  EXPECT_NE(stats.lastError.find("subscribe"), std::string::npos) << stats.lastError;

  simulator_->start();
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  EXPECT_TRUE(reader_->stats().connected);
  simulator_->logEvent("SwitchStateChanged", R"({"switch":1,"state":true,"originator":"api"})");
  EXPECT_TRUE(waitFor([&] { return received("SwitchStateChanged").size() == 1; }));
}

TEST_F(TwoNLogReaderTest, StopReturnsPromptlyWhileAPullIsParked) {
  startReader(readerOptions());  // pulls wait up to 30 s
  ASSERT_TRUE(waitFor([&] { return parked(); }));
  const auto started = std::chrono::steady_clock::now();
  reader_->stop();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, std::chrono::seconds(2));
  EXPECT_FALSE(reader_->running());
  EXPECT_EQ(simulator_->logChannels(), 0u);  // unsubscribed
  EXPECT_GE(simulator_->requestCount("/api/log/unsubscribe"), 1u);
}

TEST_F(TwoNLogReaderTest, StopReturnsPromptlyDuringBackoff) {
  simulator_->stop();
  TwoNLogReaderOptions options = readerOptions();
  options.backoffMin = std::chrono::seconds(30);
  options.backoffMax = std::chrono::seconds(30);
  startReader(options);
  ASSERT_TRUE(waitFor([&] { return reader_->stats().failures >= 1; }));
  const auto started = std::chrono::steady_clock::now();
  reader_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  reader_->stop();  // idempotent
}

}  // namespace
}  // namespace lpr::plugins::sink_2n
