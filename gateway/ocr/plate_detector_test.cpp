#include "ocr/plate_detector.h"

#include <gtest/gtest.h>

namespace lpr::ocr {
namespace {

// Finds one "plate" at a fixed place of whatever image it is given, and remembers its size.
class FixedDetector : public PlateDetector {
 public:
  std::vector<PlateDetection> detect(const cv::Mat& bgr) override {
    seen = bgr.size();
    return {{cv::Rect(10, 5, 40, 20), 0.9f}};
  }
  cv::Size seen;
};

TEST(PlateDetectorTest, DetectNearLooksAtARegionAroundTheBoxInImagePixels) {
  FixedDetector detector;
  const cv::Mat image(720, 1280, CV_8UC3, cv::Scalar::all(0));
  const auto found = detector.detectNear(image, cv::Rect(600, 300, 100, 50));
  EXPECT_EQ(detector.seen, cv::Size(200, 100));  // twice the box, centred on it
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].box, cv::Rect(560, 280, 40, 20));  // (550, 275) + (10, 5)
}

TEST(PlateDetectorTest, DetectNearClipsTheRegionToTheImage) {
  FixedDetector detector;
  const cv::Mat image(100, 100, CV_8UC3, cv::Scalar::all(0));
  const auto found = detector.detectNear(image, cv::Rect(0, 0, 80, 60));
  EXPECT_EQ(detector.seen, cv::Size(100, 90));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].box.tl(), cv::Point(10, 5));
  EXPECT_TRUE(detector.detectNear(image, cv::Rect(500, 500, 10, 10)).empty());
}

}  // namespace
}  // namespace lpr::ocr
