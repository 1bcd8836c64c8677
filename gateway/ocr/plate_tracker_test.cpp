#include "ocr/plate_tracker.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <string>

#include "ocr/yolo_plate_detector.h"

namespace lpr::ocr {
namespace {

// The real detector, counting how it is asked.
class CountingDetector : public PlateDetector {
 public:
  CountingDetector() : yolo_(std::string(LPR_OCR_TEST_MODEL_DIR) + "/" + kDetectorModelFile) {}
  std::vector<PlateDetection> detect(const cv::Mat& bgr) override {
    ++*full;
    return yolo_.detect(bgr);
  }
  std::vector<PlateDetection> detectNear(const cv::Mat& bgr, const cv::Rect& box) override {
    ++*near;
    return yolo_.detectNear(bgr, box);
  }
  std::shared_ptr<int> full = std::make_shared<int>(0);
  std::shared_ptr<int> near = std::make_shared<int>(0);

 private:
  YoloPlateDetector yolo_;
};

TEST(PlateTrackerTest, FollowsAPlateWithFewFullDetections) {
  auto detector = std::make_unique<CountingDetector>();
  const auto full = detector->full;
  const auto near = detector->near;
  ReaderOptions options;
  options.region = Region::Br;
  PlateReader reader(std::move(detector),
                     std::make_unique<PlateRecognizer>(std::string(LPR_OCR_TEST_MODEL_DIR) + "/" +
                                                       kRecognizerModelFile),
                     options);
  PlateTracker tracker(reader, 4);
  const cv::Mat frame = cv::imread(std::string(LPR_OCR_TEST_PLATES) + "/br/AYO9034.jpg");
  ASSERT_FALSE(frame.empty());
  for (int i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    const auto reads = tracker.next(frame);
    ASSERT_EQ(reads.size(), 1u);
    EXPECT_EQ(reads[0].text, "AYO9034");
  }
  // Frames 0 and 4 detect in full; the others look near the plate only.
  EXPECT_EQ(*full, 2);
  EXPECT_EQ(*near, 6);
  EXPECT_EQ(tracker.fullDetections(), 2);
}

TEST(PlateTrackerTest, AFrameWithoutThePlateFallsBackToAFullDetection) {
  auto detector = std::make_unique<CountingDetector>();
  const auto full = detector->full;
  PlateReader reader(std::move(detector),
                     std::make_unique<PlateRecognizer>(std::string(LPR_OCR_TEST_MODEL_DIR) + "/" +
                                                       kRecognizerModelFile),
                     ReaderOptions{});
  PlateTracker tracker(reader, 100);
  const cv::Mat frame = cv::imread(std::string(LPR_OCR_TEST_PLATES) + "/br/AYO9034.jpg");
  ASSERT_FALSE(frame.empty());
  ASSERT_EQ(tracker.next(frame).size(), 1u);
  const cv::Mat empty(frame.size(), frame.type(), cv::Scalar(90, 90, 90));
  EXPECT_TRUE(tracker.next(empty).empty());
  EXPECT_EQ(*full, 2);
  ASSERT_EQ(tracker.next(frame).size(), 1u);  // nothing tracked: a full detection again
  EXPECT_EQ(*full, 3);
}

}  // namespace
}  // namespace lpr::ocr
