#include "sink_barrier_modbus.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "fake_plugin_context.h"
#include "gate/barrier_test_support.h"
#include "metrics/metrics.h"
#include "modbus_test_server.h"
#include "test_env.h"

namespace lpr::plugins::sink_barrier_modbus {
namespace {

using lpr::testing::FakePluginContext;
using lpr::testing::FakeWallClock;
using lpr::testing::grantEvent;
using lpr::testing::ModbusTestServer;
using lpr::testing::ModbusWrite;
using lpr::testing::SocatPtyPair;
using lpr::testing::waitFor;
using namespace std::chrono_literals;

// The first "1" written to the coil (or on_value to the register) and the write after it.
struct Pulse {
  bool seen = false;
  std::chrono::milliseconds held{-1};
};
Pulse pulseOf(const std::vector<ModbusWrite>& writes, int onValue = 1) {
  Pulse out;
  std::optional<std::chrono::steady_clock::time_point> on;
  for (const auto& w : writes) {
    if (!on && w.value == onValue) {
      on = w.at;
    } else if (on && w.value != onValue) {
      out.seen = true;
      out.held = std::chrono::duration_cast<std::chrono::milliseconds>(w.at - *on);
      return out;
    }
  }
  return out;
}
int onWrites(const std::vector<ModbusWrite>& writes, int onValue = 1) {
  int n = 0;
  for (const auto& w : writes) n += w.value == onValue ? 1 : 0;
  return n;
}

std::uint64_t counterValue(FakePluginContext& ctx, const std::string& name, const Labels& labels) {
  return ctx.metrics().counter(name, "", labels).value();
}

class SinkBarrierModbusTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }

  void configure(FakePluginContext& ctx) {
    sink_.configure(ctx);
    ctx.config().markKnown({"type", "enabled", "on_start_error", "log_level"});
    ctx.config().reportUnknownKeys();
    ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  }
  // A TCP sink on the test server; `extra` keys override the defaults.
  void startSink(std::map<std::string, std::string> extra = {}) {
    ctx_.set("host", "127.0.0.1").set("port", std::to_string(server_.port()));
    ctx_.set("ap.0.address", "5").set("pulse_ms", "100");
    for (const auto& [key, value] : extra) ctx_.set(key, value);
    configure(ctx_);
    ASSERT_EQ(sink_.start().kind, StartResult::Kind::Ok);
  }
  PlateEvent fresh(int accessPoint = 0) { return grantEvent(accessPoint, clock_.now()); }

  FakeWallClock clock_;
  ModbusTestServer server_;
  FakePluginContext ctx_{"gate"};
  SinkBarrierModbus sink_{clock_.function()};
};

TEST(SinkBarrierModbusConfig, SampleConfiguresCleanly) {
  FakePluginContext ctx("gate");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.gate.type", ""), "sink_barrier_modbus");
  SinkBarrierModbus sink;
  sink.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(sink.link().host, "192.168.10.20");
  EXPECT_EQ(sink.link().port, 502);
  EXPECT_EQ(sink.barrierOptions().pulse, 800ms);
  EXPECT_EQ(sink.barrierOptions().maxAge, 2000ms);
  ASSERT_EQ(sink.relays().size(), 1u);
  EXPECT_EQ(sink.relays().at(0).kind, RelaySpec::Kind::Coil);
  EXPECT_EQ(ctx.gates().accessPoints(), std::vector<int>{0});
}

TEST(SinkBarrierModbusConfig, ConfigurationErrorsNameTheKey) {
  FakePluginContext ctx("gate");
  ctx.set("mode", "udp")
      .set("parity", "X")
      .set("ap.0.kind", "relay")
      .set("ap.1.address", "70000")
      .set("ap.2.address", "3")
      .set("ap.2.on_value", "5")
      .set("ap.3.kind", "register")
      .set("interlock.1", "0, 9")
      .set("pulse_ms", "5")
      .set("bogus", "1");
  SinkBarrierModbus sink;
  sink.configure(ctx);
  ctx.config().reportUnknownKeys();
  const std::string text = ctx.problemText();
  for (const char* key : {"plugin.gate.mode", "plugin.gate.parity", "plugin.gate.ap.0.kind",
                          "plugin.gate.ap.0.address", "plugin.gate.ap.1.address",
                          "plugin.gate.ap.2.kind", "plugin.gate.ap.3.address",
                          "plugin.gate.interlock.1", "plugin.gate.pulse_ms", "plugin.gate.bogus"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << " in\n" << text;
  }
}

TEST(SinkBarrierModbusConfig, TcpNeedsAHostRtuADeviceAndOneAccessPoint) {
  FakePluginContext tcp("gate");
  SinkBarrierModbus a;
  a.configure(tcp);
  EXPECT_NE(tcp.problemText().find("plugin.gate.host is missing"), std::string::npos)
      << tcp.problemText();
  EXPECT_NE(tcp.problemText().find("plugin.gate.ap"), std::string::npos) << tcp.problemText();
  FakePluginContext rtu("gate");
  rtu.set("mode", "rtu").set("ap.0.address", "1");
  SinkBarrierModbus b;
  b.configure(rtu);
  EXPECT_NE(rtu.problemText().find("plugin.gate.device is missing"), std::string::npos)
      << rtu.problemText();
}

TEST_F(SinkBarrierModbusTest, GrantPulsesTheCoilForPulseMs) {
  startSink();
  EXPECT_EQ(sink_.health().state, Health::State::Ok) << sink_.health().detail;
  ASSERT_EQ(server_.coilWrites(5).size(), 1u) << "start writes the coil off";
  EXPECT_EQ(server_.coilWrites(5)[0].value, 0);
  server_.clearWrites();

  EXPECT_EQ(sink_.deliver(fresh()).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(server_.waitWrites([](const auto& w) { return w.size() >= 2; }));
  auto pulse = pulseOf(server_.coilWrites(5));
  ASSERT_TRUE(pulse.seen);
  EXPECT_GE(pulse.held, 100ms);
  EXPECT_LT(pulse.held, 100ms + 2s);
  EXPECT_FALSE(server_.coil(5));
  EXPECT_EQ(counterValue(ctx_, "lpr_barrier_pulses_total",
                         {{"plugin", "gate"}, {"access_point", "0"}, {"trigger", "decision"}}),
            1u);
  EXPECT_NE(ctx_.metrics().renderPrometheus().find(
                "lpr_barrier_latency_seconds_count{plugin=\"gate\"} 1"),
            std::string::npos);
}

TEST_F(SinkBarrierModbusTest, StaleGrantWritesNothing) {
  startSink();
  server_.clearWrites();
  PlateEvent event = fresh();
  clock_.advance(2500ms);
  EXPECT_EQ(sink_.deliver(event).kind, Delivery::Kind::Ok);
  EXPECT_EQ(server_.requests(), 1) << "only the off of start()";
  EXPECT_TRUE(server_.writes().empty());
  EXPECT_EQ(
      counterValue(ctx_, "lpr_barrier_skipped_total", {{"plugin", "gate"}, {"reason", "stale"}}),
      1u);
}

TEST_F(SinkBarrierModbusTest, EventsThatDoNotGrantOrCameBeforeStartWriteNothing) {
  PlateEvent replayed = fresh();
  clock_.advance(5ms);
  startSink();
  server_.clearWrites();
  PlateEvent refused = grantEvent(0, clock_.now(), false);
  PlateEvent update = fresh();
  update.updateOf = "first";
  PlateEvent unmapped = fresh(1);
  for (const auto& event : {replayed, refused, update, unmapped}) {
    EXPECT_EQ(sink_.deliver(event).kind, Delivery::Kind::Ok);
  }
  EXPECT_TRUE(server_.writes().empty());
  for (const char* reason : {"before_start", "not_granted", "update", "unmapped"}) {
    EXPECT_EQ(
        counterValue(ctx_, "lpr_barrier_skipped_total", {{"plugin", "gate"}, {"reason", reason}}),
        1u)
        << reason;
  }
}

TEST_F(SinkBarrierModbusTest, InterlockHoldsUnderConcurrentGrants) {
  startSink({{"ap.1.address", "6"},
             {"interlock.1", "0, 1"},
             {"pulse_ms", "60"},
             {"interlock_wait_ms", "10"},
             {"max_age_ms", "60000"}});
  server_.clearWrites();
  std::vector<std::thread> threads;
  for (int point : {0, 1}) {
    threads.emplace_back([&, point] {
      for (int i = 0; i < 4; ++i) {
        Delivery d = sink_.deliver(grantEvent(point, clock_.now()));
        EXPECT_EQ(d.kind, Delivery::Kind::Ok) << d.why;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(
      waitFor([&] { return !sink_.controller()->isOn(0) && !sink_.controller()->isOn(1); }));
  auto writes = server_.writes();
  EXPECT_GE(onWrites(server_.coilWrites(5)), 1);
  EXPECT_GE(onWrites(server_.coilWrites(6)), 1);
  std::map<int, int> coil;
  for (const auto& w : writes) {
    coil[w.address] = w.value;
    ASSERT_FALSE(coil[5] == 1 && coil[6] == 1) << "both coils on at once";
  }
}

TEST_F(SinkBarrierModbusTest, ServerDownRetriesThenReconnectsAndExpiredGrantsDoNotPulse) {
  startSink({{"max_age_ms", "5000"}, {"reconnect_max_ms", "200"}});
  server_.stop();
  PlateEvent event = fresh();
  Delivery first = sink_.deliver(event);
  EXPECT_EQ(first.kind, Delivery::Kind::Retry);
  EXPECT_NE(first.why.find("127.0.0.1"), std::string::npos) << first.why;
  EXPECT_EQ(sink_.health().state, Health::State::Unreachable);

  server_.clearWrites();
  server_.start();  // the same port
  Delivery again;
  ASSERT_TRUE(waitFor([&] {
    again = sink_.deliver(event);
    return again.kind == Delivery::Kind::Ok;
  })) << again.why;
  ASSERT_TRUE(server_.waitWrites([](const auto& w) { return pulseOf(w).seen; }));
  EXPECT_GE(pulseOf(server_.coilWrites(5)).held, 100ms);
  EXPECT_EQ(sink_.health().state, Health::State::Ok);

  // Down again; this grant expires before the device is back: no pulse when it is.
  ASSERT_TRUE(waitFor([&] { return !sink_.controller()->isOn(0); }));
  server_.stop();
  PlateEvent late = fresh();
  EXPECT_EQ(sink_.deliver(late).kind, Delivery::Kind::Retry);
  clock_.advance(5001ms);
  server_.clearWrites();
  server_.start();
  EXPECT_EQ(sink_.deliver(late).kind, Delivery::Kind::Ok);
  EXPECT_EQ(onWrites(server_.coilWrites(5)), 0);
  EXPECT_GE(counterValue(ctx_, "lpr_barrier_errors_total", {{"plugin", "gate"}}), 2u);
}

TEST_F(SinkBarrierModbusTest, RegisterModeWritesOnAndOffValues) {
  startSink({{"ap.0.kind", "register"},
             {"ap.0.address", "10"},
             {"ap.0.on_value", "7"},
             {"ap.0.off_value", "3"}});
  EXPECT_EQ(server_.holdingRegister(10), 3);
  server_.clearWrites();
  EXPECT_EQ(sink_.deliver(fresh()).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(server_.waitWrites([](const auto& w) { return w.size() >= 2; }));
  auto writes = server_.registerWrites(10);
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].value, 7);
  EXPECT_EQ(writes[1].value, 3);
  EXPECT_EQ(writes[0].function, 0x06);
  EXPECT_GE(pulseOf(writes, 7).held, 100ms);
}

TEST_F(SinkBarrierModbusTest, ModbusExceptionRejectsWithTheReason) {
  startSink({{"ap.0.address", "500"}});
  Delivery d = sink_.deliver(fresh());
  EXPECT_EQ(d.kind, Delivery::Kind::Reject);
  EXPECT_NE(d.why.find("Illegal data address"), std::string::npos) << d.why;
  EXPECT_NE(d.why.find("coil 500"), std::string::npos) << d.why;
}

TEST_F(SinkBarrierModbusTest, ClosedInputReadingOpenSkipsThePulse) {
  startSink({{"ap.0.closed_input", "3"}});
  server_.clearWrites();
  server_.setDiscreteInput(3, false);
  EXPECT_EQ(sink_.deliver(fresh()).kind, Delivery::Kind::Ok);
  EXPECT_TRUE(server_.writes().empty());
  EXPECT_EQ(counterValue(ctx_, "lpr_barrier_skipped_total",
                         {{"plugin", "gate"}, {"reason", "already_open"}}),
            1u);
  server_.setDiscreteInput(3, true);
  EXPECT_EQ(sink_.deliver(fresh()).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(server_.waitWrites([](const auto& w) { return pulseOf(w).seen; }));
}

TEST_F(SinkBarrierModbusTest, ManualOpenThroughGateControlPulses) {
  startSink();
  server_.clearWrites();
  clock_.advance(std::chrono::hours(1));  // no age rule for a manual open
  OpenResult result = ctx_.gates().open({0, "mqtt:lpr/gw/cmd/open", "visitor"});
  EXPECT_EQ(result.kind, OpenResult::Kind::Opened) << result.detail;
  ASSERT_TRUE(server_.waitWrites([](const auto& w) { return pulseOf(w).seen; }));
  EXPECT_EQ(counterValue(ctx_, "lpr_barrier_pulses_total",
                         {{"plugin", "gate"}, {"access_point", "0"}, {"trigger", "manual"}}),
            1u);
  EXPECT_EQ(ctx_.gates().open({1, "api:admin", ""}).kind, OpenResult::Kind::NoBarrier);
}

TEST(SinkBarrierModbusRtu, GrantPulsesTheCoilOverASerialLine) {
  SocatPtyPair pty;
  pty.start();
  ModbusTestServer server(pty.serverEnd(), 19200, 'N', 3);
  server.start();
  FakeWallClock clock;
  FakePluginContext ctx("rtu");
  ctx.set("mode", "rtu")
      .set("device", pty.clientEnd())
      .set("baud", "19200")
      .set("ap.0.unit", "3")
      .set("ap.0.address", "8")
      .set("pulse_ms", "100");
  SinkBarrierModbus sink(clock.function());
  sink.configure(ctx);
  ctx.config().reportUnknownKeys();
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  ASSERT_EQ(sink.start().kind, StartResult::Kind::Ok);
  EXPECT_EQ(sink.health().state, Health::State::Ok) << sink.health().detail;
  server.clearWrites();
  Delivery d = sink.deliver(grantEvent(0, clock.now()));
  EXPECT_EQ(d.kind, Delivery::Kind::Ok) << d.why;
  ASSERT_TRUE(server.waitWrites([](const auto& w) { return pulseOf(w).seen; }));
  auto writes = server.coilWrites(8);
  EXPECT_EQ(writes.front().unit, 3);
  EXPECT_GE(pulseOf(writes).held, 100ms);
  sink.stop();
  server.stop();
}

}  // namespace
}  // namespace lpr::plugins::sink_barrier_modbus
