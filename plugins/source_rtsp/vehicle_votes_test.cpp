#include "vehicle_votes.h"

#include <gtest/gtest.h>

namespace lpr::plugins::source_rtsp {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0{};

PlateObservation at(const std::string& text, float confidence, int x, int width = 60) {
  return {text, confidence, cv::Rect(x, 100, width, width / 3)};
}

TEST(VehicleVotesTest, FirstConfidentReadIsPublishedAtOnceAndOnlyOnce) {
  VehicleVotes votes;
  EXPECT_TRUE(votes.observe(t0, {at("ABC123", 0.3f, 100)}).empty());  // unsure: wait
  auto updates = votes.observe(t0 + 200ms, {at("ABC123", 0.8f, 105, 64)});
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].kind, VehicleUpdate::Kind::First);
  EXPECT_EQ(updates[0].text, "ABC123");
  EXPECT_EQ(updates[0].observation, 0u);
  EXPECT_NEAR(updates[0].votes, 1.1, 1e-6);
  for (int i = 2; i < 10; ++i) {
    EXPECT_TRUE(
        votes.observe(t0 + i * 200ms, {at("ABC123", 0.9f, 100 + 5 * i, 60 + 4 * i)}).empty());
  }
  EXPECT_EQ(votes.openVehicles(), 1u);
}

TEST(VehicleVotesTest, ABetterTextThatOutVotesThePublishedOneIsARefinement) {
  VehicleVotes votes;
  auto first = votes.observe(t0, {at("A8C123", 0.6f, 100)});
  ASSERT_EQ(first.size(), 1u);
  // Same place, another text: one vote of 0.55 does not beat 0.6.
  EXPECT_TRUE(votes.observe(t0 + 200ms, {at("ABC123", 0.55f, 102)}).empty());
  // 1.45 against 0.6: leads, but not by the margin (1.0) yet.
  EXPECT_TRUE(votes.observe(t0 + 400ms, {at("ABC123", 0.9f, 104)}).empty());
  auto refined = votes.observe(t0 + 600ms, {at("ABC123", 0.9f, 106)});
  ASSERT_EQ(refined.size(), 1u);
  EXPECT_EQ(refined[0].kind, VehicleUpdate::Kind::Refinement);
  EXPECT_EQ(refined[0].vehicle, first[0].vehicle);
  EXPECT_EQ(refined[0].text, "ABC123");
  // The old text coming back once does not flip it again.
  EXPECT_TRUE(votes.observe(t0 + 800ms, {at("A8C123", 0.7f, 106)}).empty());
}

TEST(VehicleVotesTest, TwoCloseReadingsDoNotFlipBackAndForth) {
  // Seen in the RTSP benchmark: O/D read alternately while the car is far.
  VehicleVotes votes;
  ASSERT_EQ(votes.observe(t0, {at("AYO9034", 0.53f, 100)}).size(), 1u);
  const char* texts[] = {"AYD9034", "AYO9034", "AYD9034", "AYO9034"};
  const float confidences[] = {0.77f, 0.45f, 0.64f, 0.75f};
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(
        votes.observe(t0 + (i + 1) * 100ms, {at(texts[i], confidences[i], 100 + i)}).empty())
        << i;
  }
}

TEST(VehicleVotesTest, AVehicleGoneLongerThanTheTimeoutComesBackAsANewOne) {
  VehicleVotes votes(VoteOptions{0.5f, 1000ms, 2});
  auto a = votes.observe(t0, {at("ABC123", 0.9f, 100)});
  EXPECT_TRUE(votes.observe(t0 + 900ms, {at("ABC123", 0.9f, 100)}).empty());
  EXPECT_EQ(votes.expire(t0 + 1800ms), 0);
  EXPECT_EQ(votes.expire(t0 + 2000ms), 1);
  auto b = votes.observe(t0 + 2100ms, {at("ABC123", 0.9f, 100)});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0].vehicle, b[0].vehicle);
  EXPECT_EQ(b[0].kind, VehicleUpdate::Kind::First);
}

TEST(VehicleVotesTest, TwoPlatesInOneFrameAreTwoVehicles) {
  VehicleVotes votes;
  auto updates = votes.observe(t0, {at("ABC123", 0.9f, 10), at("XYZ987", 0.8f, 500)});
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_NE(updates[0].vehicle, updates[1].vehicle);
  EXPECT_EQ(updates[1].observation, 1u);
  EXPECT_TRUE(votes.observe(t0 + 200ms, {at("XYZ987", 0.8f, 505), at("ABC123", 0.9f, 12)}).empty());
}

TEST(VehicleVotesTest, ASimilarTextFarFromTheBoxStaysTheSameVehicle) {
  VehicleVotes votes;
  ASSERT_EQ(votes.observe(t0, {at("ABC123", 0.9f, 10)}).size(), 1u);
  EXPECT_TRUE(votes.observe(t0 + 200ms, {at("ABC128", 0.6f, 900)}).empty());
  EXPECT_EQ(votes.openVehicles(), 1u);
}

TEST(VehicleVotesTest, EditDistance) {
  EXPECT_EQ(editDistance("ABC123", "ABC123"), 0);
  EXPECT_EQ(editDistance("ABC123", "A8C123"), 1);
  EXPECT_EQ(editDistance("ABC123", "ABC1234"), 1);
  EXPECT_EQ(editDistance("", "AB"), 2);
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
