// sink_barrier_2n against the 2N device simulator: which grants trigger the switch, over the
// real HTTPS + Digest API.
#include "sink_barrier_2n.h"

#include <gtest/gtest.h>

#include "fake_plugin_context.h"
#include "gate/barrier_test_support.h"
#include "metrics/metrics.h"
#include "two_n_simulator.h"

namespace lpr::plugins::sink_barrier_2n {
namespace {

using namespace std::chrono_literals;
using lpr::testing::FakePluginContext;
using lpr::testing::grantEvent;
using lpr::testing::TwoNSimulator;

// A granted decision by `decidedBy` (the device's own, or one of the gateway's).
PlateEvent grant(const std::string& decidedBy, int accessPoint = 0,
                 TimePoint receivedAt = Clock::now()) {
  PlateEvent e = grantEvent(accessPoint, receivedAt);
  e.decision->decidedBy = decidedBy;
  return e;
}

TEST(SinkBarrier2nSample, SamplePropertiesConfigureCleanly) {
  FakePluginContext ctx("gate2n");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.gate2n.type", ""), "sink_barrier_2n");
  SinkBarrier2n sink;
  sink.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
}

TEST(SinkBarrier2nConfig, AMissingSwitchAndABadPolicyNameTheirKeys) {
  FakePluginContext ctx("gate2n");
  ctx.set("host", "127.0.0.1").set("username", "u").set("password", "p");
  ctx.set("tls.fingerprint_sha256", std::string(64, 'a'));
  ctx.set("ap.1.pulse_ms", "500").set("on_device_grant", "always");
  SinkBarrier2n sink;
  sink.configure(ctx);
  const std::string text = ctx.problemText();
  EXPECT_NE(text.find("plugin.gate2n.ap.1.switch is missing"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.gate2n.on_device_grant"), std::string::npos) << text;
}

class SinkBarrier2nTest : public ::testing::Test {
 protected:
  void SetUp() override {
    device_.start();
    ctx_.set("host", "127.0.0.1:" + std::to_string(device_.boundPort()))
        .set("username", device_.options().username)
        .set("password", device_.options().password)
        .set("tls.fingerprint_sha256", device_.certificateSha256())
        .set("timeout_ms", "3000")
        .set("ap.0.switch", "2")
        .set("ap.1.switch", "3");
  }
  void start() {
    sink_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    ASSERT_EQ(sink_.start().kind, StartResult::Kind::Ok);
  }
  // Switch numbers the gateway triggered, in order (the device's own openings say "auth").
  std::vector<int> triggered() {
    std::vector<int> out;
    for (const auto& e : device_.events("SwitchStateChanged")) {
      auto p = e.params();
      if (p->getValue<bool>("state") && p->getValue<std::string>("originator") == "api") {
        out.push_back(p->getValue<int>("switch"));
      }
    }
    return out;
  }
  std::string metrics() { return ctx_.metrics().renderPrometheus(); }

  TwoNSimulator device_;
  FakePluginContext ctx_{"gate2n"};
  SinkBarrier2n sink_;
};

TEST_F(SinkBarrier2nTest, ALocalGrantTriggersTheAccessPointsSwitch) {
  start();
  EXPECT_EQ(sink_.deliver(grant("local_fallback")).kind, Delivery::Kind::Ok);
  EXPECT_EQ(sink_.deliver(grant("list", 1)).kind, Delivery::Kind::Ok);
  EXPECT_EQ(triggered(), (std::vector<int>{2, 3}));
  EXPECT_TRUE(device_.switchActive(2));
  EXPECT_NE(metrics().find("lpr_barrier_pulses_total{plugin=\"gate2n\",access_point=\"0\","
                           "trigger=\"decision\"} 1"),
            std::string::npos)
      << metrics();
}

TEST_F(SinkBarrier2nTest, TheDevicesOwnGrantIsSkippedUnlessConfigured) {
  start();
  EXPECT_EQ(sink_.deliver(grant("2n")).kind, Delivery::Kind::Ok);
  EXPECT_TRUE(triggered().empty()) << "the device opened its door itself";
  EXPECT_NE(
      metrics().find("lpr_barrier_skipped_total{plugin=\"gate2n\",reason=\"device_decided\"} 1"),
      std::string::npos)
      << metrics();

  FakePluginContext ctx("open2n");
  ctx.set("host", ctx_.root().getString("plugin.gate2n.host"))
      .set("username", device_.options().username)
      .set("password", device_.options().password)
      .set("tls.fingerprint_sha256", device_.certificateSha256())
      .set("ap.0.switch", "4")
      .set("on_device_grant", "open");
  SinkBarrier2n opener;
  opener.configure(ctx);
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  ASSERT_EQ(opener.start().kind, StartResult::Kind::Ok);
  EXPECT_EQ(opener.deliver(grant("2n")).kind, Delivery::Kind::Ok);
  EXPECT_EQ(triggered(), (std::vector<int>{4}));
  opener.stop();
}

TEST_F(SinkBarrier2nTest, StaleGrantsRefusalsAndAnUnreachableDevice) {
  start();
  EXPECT_EQ(sink_.deliver(grant("list", 0, Clock::now() - 10s)).kind, Delivery::Kind::Ok);
  EXPECT_TRUE(triggered().empty()) << "a stale grant opened";

  device_.stop();
  EXPECT_EQ(sink_.deliver(grant("list")).kind, Delivery::Kind::Retry);
  EXPECT_EQ(sink_.health().state, Health::State::Unreachable);
  device_.start();
  EXPECT_EQ(sink_.deliver(grant("list")).kind, Delivery::Kind::Ok);
  EXPECT_EQ(triggered(), (std::vector<int>{2}));
  EXPECT_EQ(sink_.health().state, Health::State::Ok);
}

TEST_F(SinkBarrier2nTest, AManualOpenTriggersTheSwitchAndASwitchTheDeviceLacksIsRefused) {
  ctx_.set("ap.1.switch", "9");  // the simulated device has four
  start();
  OpenResult opened = ctx_.gates().open({0, "mqtt:test", "visitor"});
  EXPECT_EQ(opened.kind, OpenResult::Kind::Opened) << opened.detail;
  EXPECT_EQ(triggered(), (std::vector<int>{2}));
  Delivery refused = sink_.deliver(grant("list", 1));
  EXPECT_EQ(refused.kind, Delivery::Kind::Reject);
  EXPECT_NE(refused.why.find("switch 9"), std::string::npos) << refused.why;
}

}  // namespace
}  // namespace lpr::plugins::sink_barrier_2n
