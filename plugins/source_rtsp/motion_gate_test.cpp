#include "motion_gate.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace lpr::plugins::source_rtsp {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0{};

cv::Mat scene(int carX, int noiseSeed) {
  cv::Mat frame(240, 320, CV_8UC3, cv::Scalar(90, 90, 90));
  if (carX >= 0) cv::rectangle(frame, cv::Rect(carX, 120, 80, 60), cv::Scalar(20, 20, 20), -1);
  cv::Mat noise(frame.size(), CV_8UC3);
  cv::theRNG().state = static_cast<std::uint64_t>(noiseSeed) + 1;
  cv::randn(noise, 0, 6);
  return frame + noise;
}

TEST(MotionGateTest, SensorNoiseIsNotMotionAMovingCarIs) {
  MotionGate gate(0.002, 500ms);
  const RoiFraction all;
  EXPECT_FALSE(gate.pass(t0, scene(-1, 1), all));  // no reference yet
  for (int i = 2; i < 6; ++i) EXPECT_FALSE(gate.pass(t0 + i * 40ms, scene(-1, i), all));
  EXPECT_TRUE(gate.pass(t0 + 240ms, scene(100, 7), all));
  EXPECT_GT(gate.lastChange(), 0.002);
  // Still: passes for the hold time, then not.
  EXPECT_TRUE(gate.pass(t0 + 600ms, scene(100, 8), all));
  EXPECT_FALSE(gate.pass(t0 + 800ms, scene(100, 9), all));
}

TEST(MotionGateTest, MotionOutsideTheRegionOfInterestIsIgnored) {
  MotionGate gate(0.002, 500ms);
  const RoiFraction rightHalf{0.5, 0.0, 0.5, 1.0};
  EXPECT_FALSE(gate.pass(t0, scene(-1, 1), rightHalf));
  EXPECT_FALSE(gate.pass(t0 + 40ms, scene(10, 2), rightHalf));  // the car is on the left
  EXPECT_TRUE(gate.pass(t0 + 80ms, scene(200, 3), rightHalf));
}

TEST(MotionGateTest, ThresholdZeroPassesEverything) {
  MotionGate gate(0.0, 0ms);
  EXPECT_TRUE(gate.pass(t0, scene(-1, 1), RoiFraction{}));
}

TEST(MotionGateTest, ParsesTheRegionOfInterest) {
  auto roi = parseRoi("0.25, 0.5,0.5,0.5");
  ASSERT_TRUE(roi);
  EXPECT_EQ(roi->inPixels(cv::Size(400, 200)), cv::Rect(100, 100, 200, 100));
  EXPECT_FALSE(parseRoi("0,0,1"));
  EXPECT_FALSE(parseRoi("0.5,0,0.6,1"));  // past the right edge
  EXPECT_FALSE(parseRoi("0,0,0,1"));
  EXPECT_FALSE(parseRoi("a,0,1,1"));
  EXPECT_FALSE(parseRoi("0,0,1,1x"));
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
