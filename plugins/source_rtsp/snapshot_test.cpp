#include "snapshot.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <vector>

namespace lpr::plugins::source_rtsp {
namespace {

TEST(SnapshotTest, AFrameFitsTheLimitAndStaysAJpeg) {
  // Noise is the worst case for JPEG: a 1920x1080 noise frame is megabytes at quality 90.
  cv::Mat frame(1080, 1920, CV_8UC3);
  cv::randu(frame, 0, 255);
  const std::string jpeg = encodeSnapshot(frame);
  ASSERT_FALSE(jpeg.empty());
  EXPECT_LE(jpeg.size(), kSnapshotMaxBytes);
  const cv::Mat decoded =
      cv::imdecode(std::vector<uchar>(jpeg.begin(), jpeg.end()), cv::IMREAD_COLOR);
  ASSERT_FALSE(decoded.empty());
}

TEST(SnapshotTest, ASmallFrameKeepsItsSize) {
  cv::Mat frame(360, 640, CV_8UC3, cv::Scalar(40, 80, 120));
  const std::string jpeg = encodeSnapshot(frame);
  const cv::Mat decoded =
      cv::imdecode(std::vector<uchar>(jpeg.begin(), jpeg.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(decoded.size(), frame.size());
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
