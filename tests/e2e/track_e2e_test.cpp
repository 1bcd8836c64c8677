// A parked car in front of the camera, through the binary: 100 reads → one decision.
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

class TrackE2E : public GatewayE2E {};

TEST_F(TrackE2E, AParkedCarReadAHundredTimesIsOneDecision) {
  gateway_.configure(baseConfig() +
                     "plugin.track.type = proc_track\n"
                     "pipeline.processors = track\n");
  gateway_.start();
  for (int i = 0; i < 100; ++i) {
    char uuid[40];
    std::snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", i);
    // One arrival (the camera keeps lprID 1), with the odd OCR slip. Every read is answered
    // success, repeats included: the camera must not resend them.
    ASSERT_EQ(postRead(uuid, i % 10 == 3 ? "AB123C0" : "AB123CD").body, R"({"success":true})");
  }
  // A different car afterwards marks the end: once it is published, the parked car's repeats
  // would have been too.
  ASSERT_EQ(postRead("00000000-0000-4000-8000-000000000999", "XY987ZZ", 0, 2).body,
            R"({"success":true})");
  ASSERT_TRUE(waitFor(
      [&] { return eventsByUuid().count("00000000-0000-4000-8000-000000000999") == 1; }, 15s));
  std::size_t total = 0;
  auto events = eventsByUuid(&total);
  std::size_t decisions = 0, updates = 0;
  for (const auto& [uuid, event] : events) {
    (event->optValue<std::string>("update_of", "").empty() ? decisions : updates) += 1;
  }
  EXPECT_EQ(decisions, 2u) << "one decision for the parked car, one for the next";
  EXPECT_EQ(events.count("00000000-0000-4000-8000-000000000000"), 1u) << "the first read decides";
  // With the camera's vehicle id the later text wins, so the slips are passed on as updates
  // of the first event (never as decisions), until max_updates (3) stops a flapping text.
  EXPECT_EQ(updates, 3u);
  EXPECT_EQ(total, 5u);
  EXPECT_EQ(metricValue("lpr_decisions_total{decided_by=\"none\"}"), 2);
  EXPECT_EQ(metricValue("lpr_track_dropped_total{plugin=\"track\",reason=\"repeat\"}"), 96);
}

}  // namespace
}  // namespace lpr::testing
