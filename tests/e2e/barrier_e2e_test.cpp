// The whole chain through the binary, with the 2N device away: a camera read → normalize →
// track → the local fallback decides from the mirrored directory → the barrier's Modbus coil is
// pulsed once and the decided event is on MQTT. A parked car's re-reads and a refinement never
// pulse again; a refused plate never pulses.
#include <gtest/gtest.h>

#include "modbus_test_server.h"
#include "two_n_device_fixture.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

class BarrierE2E : public TwoNDeviceE2E {
 protected:
  void SetUp() override {
    TwoNDeviceE2E::SetUp();
    modbus_.start();
  }
  std::string config() {
    return deviceConfig(
        "plugin.norm.type = proc_normalize\n"
        "plugin.track.type = proc_track\n"
        "plugin.auth.type = proc_authorize\n"
        "plugin.auth.directory = door\n"
        "plugin.auth.reload_interval_s = 1\n"
        "pipeline.processors = norm, track, auth\n"
        "plugin.gate.type = sink_barrier_modbus\n"
        "plugin.gate.host = 127.0.0.1\n"
        "plugin.gate.port = " +
        std::to_string(modbus_.port()) +
        "\n"
        "plugin.gate.ap.0.address = 5\n"
        "plugin.gate.pulse_ms = 200\n"
        // A loaded test machine must not turn a grant stale on the way.
        "plugin.gate.max_age_ms = 10000\n");
  }
  std::size_t pulses() {
    std::size_t on = 0;
    for (const auto& w : modbus_.coilWrites(5)) on += w.value == 1;
    return on;
  }

  ModbusTestServer modbus_;
};

TEST_F(BarrierE2E, WithTheDeviceAwayTheLocalFallbackOpensTheBarrierOnce) {
  gateway_.configure(config());
  gateway_.start();
  // The mirror is synced and loaded, then the device goes away.
  ASSERT_TRUE(waitFor(
      [&] { return metricValue("lpr_authorize_mirror_users{plugin=\"auth\"}") == 1; }, 20s));
  device_.stop();

  // Jana's car, read with a space and in lower case, then re-read while it waits.
  ASSERT_EQ(postRead("00000000-0000-4000-8000-000000000001", "ab 123cd", 0, 1).body,
            R"({"success":true})");
  ASSERT_TRUE(modbus_.waitWrites(
      [](const std::vector<ModbusWrite>& writes) {
        int on = 0, off = 0;
        for (const auto& w : writes) (w.value ? on : off) += w.address == 5;
        return on == 1 && off >= 2;  // the start's "off", then the pulse's
      },
      20s));
  auto coil = modbus_.coilWrites(5);
  ASSERT_GE(coil.size(), 3u);
  const auto& on = coil[coil.size() - 2];
  const auto& off = coil.back();
  EXPECT_EQ(on.value, 1);
  EXPECT_EQ(off.value, 0);
  EXPECT_GE(off.at - on.at, 200ms) << "the pulse was cut short";

  for (int i = 2; i <= 5; ++i) {
    ASSERT_EQ(
        postRead("00000000-0000-4000-8000-00000000000" + std::to_string(i), "AB123CD", 0, 1).body,
        R"({"success":true})");
  }
  // A stranger is refused: the barrier stays shut. Its event on MQTT marks that everything
  // before it was decided and delivered.
  ASSERT_EQ(postRead("00000000-0000-4000-8000-000000000009", "ZZ999ZZ", 0, 2).body,
            R"({"success":true})");
  ASSERT_TRUE(
      waitFor([&] { return eventsByUuid().count("00000000-0000-4000-8000-000000000009"); }, 15s));
  ASSERT_TRUE(waitFor([&] { return metricValue("lpr_queue_depth{plugin=\"gate\"}") == 0; }, 15s));

  EXPECT_EQ(pulses(), 1u) << "the parked car or the stranger opened the barrier";
  auto events = eventsByUuid();
  auto granted = events.at("00000000-0000-4000-8000-000000000001")->getObject("decision");
  ASSERT_TRUE(granted);
  EXPECT_TRUE(granted->getValue<bool>("valid"));
  EXPECT_EQ(granted->optValue<std::string>("decided_by", ""), "local_fallback");
  EXPECT_EQ(granted->optValue<std::string>("uuid", ""), janaUuid_);
  EXPECT_EQ(events.size(), 2u);
  EXPECT_EQ(metricValue("lpr_barrier_pulses_total{plugin=\"gate\",access_point=\"0\","
                        "trigger=\"decision\"}"),
            1);
  EXPECT_EQ(metricValue("lpr_barrier_skipped_total{plugin=\"gate\",reason=\"not_granted\"}"), 1);
}

}  // namespace
}  // namespace lpr::testing
