// There is no GPIO chip on the CI machine and none can be simulated (test-infra.md §6): the
// real libgpiod is tested on its error path here, and the pulse, age and interlock logic
// through fake relays in gateway/gate/barrier_controller_test.cpp.
#include "sink_barrier_gpio.h"

#include <Poco/File.h>
#include <gtest/gtest.h>

#include "fake_plugin_context.h"
#include "gate/barrier_test_support.h"

namespace lpr::plugins::sink_barrier_gpio {
namespace {

using lpr::testing::FakePluginContext;
using lpr::testing::grantEvent;
using namespace std::chrono_literals;

TEST(SinkBarrierGpioConfig, SampleConfiguresCleanly) {
  FakePluginContext ctx("gpio_gate");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.gpio_gate.type", ""), "sink_barrier_gpio");
  SinkBarrierGpio sink;
  sink.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(sink.chip(), "gpiochip0");
  ASSERT_EQ(sink.lines().size(), 1u);
  EXPECT_EQ(sink.lines().at(0).line, 17);
  EXPECT_FALSE(sink.lines().at(0).activeLow);
  EXPECT_EQ(sink.barrierOptions().pulse, 800ms);
  EXPECT_EQ(ctx.gates().accessPoints(), std::vector<int>{0});
}

TEST(SinkBarrierGpioConfig, ConfigurationErrorsNameTheKey) {
  FakePluginContext ctx("g");
  ctx.set("ap.0.active_low", "maybe")
      .set("ap.1.line", "5000")
      .set("ap.x.line", "3")
      .set("max_age_ms", "0")
      .set("interlock.a", "0")
      .set("linee", "4");
  SinkBarrierGpio sink;
  sink.configure(ctx);
  ctx.config().reportUnknownKeys();
  const std::string text = ctx.problemText();
  for (const char* key :
       {"plugin.g.ap.0.line is missing", "plugin.g.ap.0.active_low", "plugin.g.ap.1.line",
        "plugin.g.ap.x.line", "plugin.g.max_age_ms", "plugin.g.interlock.a", "plugin.g.linee"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << " in\n" << text;
  }
}

// The real libgpiod, asked for a chip that is not there.
TEST(SinkBarrierGpioStart, MissingChipIsRetriedLaterNamingChipAndLine) {
  if (Poco::File("/dev/gpiochip0").exists()) GTEST_SKIP() << "this machine has a gpiochip0";
  FakePluginContext ctx("g");
  ctx.set("ap.0.line", "17").set("ap.1.line", "18");
  SinkBarrierGpio sink;
  sink.configure(ctx);
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  StartResult result = sink.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater);
  EXPECT_EQ(result.why,
            "cannot open GPIO chip gpiochip0 (line 17 for access point 0): No such file or "
            "directory");
  // Not started: deliveries wait (and expire), manual opens fail at once.
  Delivery d = sink.deliver(grantEvent(0, Clock::now()));
  EXPECT_EQ(d.kind, Delivery::Kind::Retry);
  OpenResult open = ctx.gates().open({0, "api:test", ""});
  EXPECT_EQ(open.kind, OpenResult::Kind::Failed);
  EXPECT_NE(open.detail.find("not started"), std::string::npos) << open.detail;
  // start() may be called again (the host retries), and stop() is safe after a failed start.
  EXPECT_EQ(sink.start().kind, StartResult::Kind::RetryLater);
  sink.stop();
  sink.stop();
}

TEST(SinkBarrierGpioStart, MissingChipPathIsNamed) {
  FakePluginContext ctx("g");
  ctx.set("chip", "/dev/gpiochip-lpr-missing").set("ap.1.line", "4");
  SinkBarrierGpio sink;
  sink.configure(ctx);
  StartResult result = sink.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater);
  EXPECT_NE(result.why.find("cannot open GPIO chip /dev/gpiochip-lpr-missing (line 4 for "
                            "access point 1)"),
            std::string::npos)
      << result.why;
}

}  // namespace
}  // namespace lpr::plugins::sink_barrier_gpio
