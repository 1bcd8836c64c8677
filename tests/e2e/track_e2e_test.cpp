// A parked car in front of the camera, through the binary: 100 reads → one decided event.
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

class TrackE2E : public GatewayE2E {};

TEST_F(TrackE2E, AParkedCarReadAHundredTimesIsOneEvent) {
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
  ASSERT_EQ(httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate",
                        twoNRead("00000000-0000-4000-8000-000000000999", "XY987ZZ", 0, 2),
                        "application/json", ClientAuth::Basic, "camera", "pa55word")
                .body,
            R"({"success":true})");
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().size() >= 2; }, 15s));
  std::size_t total = 0;
  auto events = eventsByUuid(&total);
  EXPECT_EQ(total, 2u);
  EXPECT_EQ(events.count("00000000-0000-4000-8000-000000000000"), 1u) << "the first read decides";
  EXPECT_EQ(metricValue("lpr_track_dropped_total{plugin=\"track\",reason=\"repeat\"}"), 99);
}

}  // namespace
}  // namespace lpr::testing
