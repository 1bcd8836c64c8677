#include "vehicle_tracker.h"

#include <gtest/gtest.h>

namespace lpr::plugins::proc_track {
namespace {

using namespace std::chrono_literals;
using Kind = TrackDecision::Kind;

PlateEvent read(const std::string& plate, const std::string& source = "cam",
                const std::string& vehicleId = {}, int accessPoint = 0) {
  static int n = 0;
  PlateEvent e;
  e.id = "ev-" + std::to_string(++n);
  e.sourceId = source;
  e.vehicleId = vehicleId;
  e.plate = e.plateRaw = plate;
  e.accessPoint = accessPoint;
  return e;
}

class VehicleTrackerTest : public ::testing::Test {
 protected:
  VehicleTracker tracker_{TrackerOptions{}};
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

TEST_F(VehicleTrackerTest, AParkedCarReadAHundredTimesInAMinuteIsOneDecision) {
  int first = 0, repeats = 0;
  for (int i = 0; i < 100; ++i) {
    // Every 0.6 s for 60 s, with the odd OCR slip.
    auto kind = tracker_.observe(read(i % 10 == 3 ? "AB123C0" : "AB123CD"), t0_ + i * 600ms).kind;
    first += kind == Kind::First;
    repeats += kind == Kind::Repeat;
  }
  EXPECT_EQ(first, 1);
  EXPECT_EQ(repeats, 99);
}

TEST_F(VehicleTrackerTest, AVehicleIdKeepsDifferentReadsTogetherAndApart) {
  EXPECT_EQ(tracker_.observe(read("AB123CD", "cam", "7"), t0_).kind, Kind::First);
  // Same vehicle id, a quite different text: still the same vehicle (a refinement of it).
  EXPECT_EQ(tracker_.observe(read("A8I23CO", "cam", "7"), t0_ + 1s).kind, Kind::Refinement);
  // A similar plate with another vehicle id is another car.
  EXPECT_EQ(tracker_.observe(read("AB123CE", "cam", "8"), t0_ + 2s).kind, Kind::First);
}

TEST_F(VehicleTrackerTest, OtherSourcesAndOtherPlatesAreOtherVehicles) {
  EXPECT_EQ(tracker_.observe(read("AB123CD", "entry"), t0_).kind, Kind::First);
  EXPECT_EQ(tracker_.observe(read("XY987ZZ", "entry"), t0_ + 1s).kind, Kind::First);
  EXPECT_EQ(tracker_.observe(read("AB123CD", "exit", {}, 1), t0_ + 2s).kind, Kind::First);
}

TEST_F(VehicleTrackerTest, TheCooldownHoldsANewPassOfTheSamePlateAtTheSameAccessPoint) {
  EXPECT_EQ(tracker_.observe(read("AB123CD"), t0_).kind, Kind::First);
  // Gone longer than the window (10 s), back within the cooldown (30 s).
  EXPECT_EQ(tracker_.observe(read("AB123CD"), t0_ + 20s).kind, Kind::Cooldown);
  // At the other access point it is a new decision.
  EXPECT_EQ(tracker_.observe(read("AB123CD", "cam2", {}, 1), t0_ + 21s).kind, Kind::First);
  // After the cooldown and the window: decided again.
  EXPECT_EQ(tracker_.observe(read("AB123CD"), t0_ + 45s).kind, Kind::First);
}

TEST_F(VehicleTrackerTest, AGapLongerThanTheWindowEndsThePass) {
  VehicleTracker tracker(TrackerOptions{10s, 0s, 1, 0});
  EXPECT_EQ(tracker.observe(read("AB123CD"), t0_).kind, Kind::First);
  EXPECT_EQ(tracker.observe(read("AB123CD"), t0_ + 9s).kind, Kind::Repeat);
  EXPECT_EQ(tracker.observe(read("AB123CD"), t0_ + 20s).kind, Kind::First);
}

TEST_F(VehicleTrackerTest, UnsureReadsDoNotStartAPassButJoinOne) {
  VehicleTracker tracker(TrackerOptions{10s, 30s, 1, 0.8});
  PlateEvent unsure = read("AB123CD");
  unsure.confidence = 0.5;
  EXPECT_EQ(tracker.observe(unsure, t0_).kind, Kind::Unsure);
  PlateEvent sure = read("AB123CD");
  sure.confidence = 0.9;
  EXPECT_EQ(tracker.observe(sure, t0_ + 1s).kind, Kind::First);
  unsure.id = "ev-later";
  EXPECT_EQ(tracker.observe(unsure, t0_ + 2s).kind, Kind::Repeat);
}

TEST_F(VehicleTrackerTest, OldPassesAreForgotten) {
  for (int i = 0; i < 50; ++i) {
    // Plates at least three edits apart, so that none is taken for another's refinement.
    std::string plate = std::string(3, static_cast<char>('A' + i % 26)) +
                        std::string(3, static_cast<char>('0' + i % 10)) + (i < 26 ? "A" : "B");
    ASSERT_EQ(tracker_.observe(read(plate), t0_).kind, Kind::First) << plate;
  }
  EXPECT_EQ(tracker_.passes(), 50u);
  tracker_.observe(read("NEW1"), t0_ + 31s);
  EXPECT_EQ(tracker_.passes(), 1u);
}

TEST_F(VehicleTrackerTest, WithAVehicleIdTheLaterTextRefinesTheFirstEvent) {
  PlateEvent first = read("AB128CD", "alpv", "car-9");
  ASSERT_EQ(tracker_.observe(first, t0_).kind, Kind::First);
  TrackDecision update = tracker_.observe(read("AB123CD", "alpv", "car-9"), t0_ + 1s);
  EXPECT_EQ(update.kind, Kind::Refinement);
  EXPECT_EQ(update.firstEventId, first.id);
  // The same text again is a repeat: nothing new to tell.
  EXPECT_EQ(tracker_.observe(read("AB123CD", "alpv", "car-9"), t0_ + 2s).kind, Kind::Repeat);
}

TEST_F(VehicleTrackerTest, WithoutAVehicleIdOnlyAMoreConfidentTextRefines) {
  PlateEvent first = read("AB128CD");
  first.confidence = 0.7;
  ASSERT_EQ(tracker_.observe(first, t0_).kind, Kind::First);
  PlateEvent worse = read("AB123CD");
  worse.confidence = 0.6;
  EXPECT_EQ(tracker_.observe(worse, t0_ + 1s).kind, Kind::Repeat);
  PlateEvent same = read("AB123CD");
  same.confidence = 0.7;
  EXPECT_EQ(tracker_.observe(same, t0_ + 2s).kind, Kind::Repeat);
  PlateEvent unknown = read("AB123CD");  // no confidence: cannot be told better
  EXPECT_EQ(tracker_.observe(unknown, t0_ + 3s).kind, Kind::Repeat);
  PlateEvent better = read("AB123CD");
  better.confidence = 0.95;
  TrackDecision update = tracker_.observe(better, t0_ + 4s);
  EXPECT_EQ(update.kind, Kind::Refinement);
  EXPECT_EQ(update.firstEventId, first.id);
  // The refined text is now the one to beat.
  PlateEvent back = read("AB128CD");
  back.confidence = 0.9;
  EXPECT_EQ(tracker_.observe(back, t0_ + 5s).kind, Kind::Repeat);
}

TEST_F(VehicleTrackerTest, AFlappingTextStopsRefiningAfterMaxUpdates) {
  int refinements = 0;
  ASSERT_EQ(tracker_.observe(read("AB123CD", "cam", "v1"), t0_).kind, Kind::First);
  for (int i = 1; i <= 10; ++i) {
    auto kind =
        tracker_.observe(read(i % 2 ? "AB128CD" : "AB123CD", "cam", "v1"), t0_ + i * 1s).kind;
    refinements += kind == Kind::Refinement;
  }
  EXPECT_EQ(refinements, 3);

  VehicleTracker never(TrackerOptions{10s, 30s, 1, 0, 0});
  ASSERT_EQ(never.observe(read("AB123CD", "cam", "v2"), t0_).kind, Kind::First);
  EXPECT_EQ(never.observe(read("AB128CD", "cam", "v2"), t0_ + 1s).kind, Kind::Repeat);
}

TEST_F(VehicleTrackerTest, AnUnsureReadNeverRefines) {
  VehicleTracker tracker(TrackerOptions{10s, 30s, 1, 0.8});
  PlateEvent first = read("AB123CD", "cam", "v3");
  first.confidence = 0.9;
  ASSERT_EQ(tracker.observe(first, t0_).kind, Kind::First);
  PlateEvent unsure = read("AB128CD", "cam", "v3");
  unsure.confidence = 0.5;
  EXPECT_EQ(tracker.observe(unsure, t0_ + 1s).kind, Kind::Repeat);
}

TEST(EditDistance, CountsEditsAndStopsBeyondTheLimit) {
  EXPECT_EQ(VehicleTracker::editDistance("AB123CD", "AB123CD", 1), 0);
  EXPECT_EQ(VehicleTracker::editDistance("AB123CD", "AB128CD", 1), 1);
  EXPECT_EQ(VehicleTracker::editDistance("AB123CD", "AB123C", 1), 1);
  EXPECT_EQ(VehicleTracker::editDistance("AB123CD", "XAB123CD", 1), 1);
  EXPECT_EQ(VehicleTracker::editDistance("AB123CD", "AB12XYD", 1), 2);
  EXPECT_EQ(VehicleTracker::editDistance("AB", "ABCDEF", 2), 3);
}

}  // namespace
}  // namespace lpr::plugins::proc_track
