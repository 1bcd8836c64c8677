#include "ocr/yolo_plate_detector.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <string>

namespace lpr::ocr {
namespace {

// A raw head [1, 65, h, w] with every plate logit at -10 (score ~0) and flat DFL bins.
cv::Mat emptyHead(int h, int w) {
  const int dims[] = {1, 65, h, w};
  cv::Mat head(4, dims, CV_32F, cv::Scalar(0.0f));
  float* cls = head.ptr<float>() + 64 * h * w;
  for (int i = 0; i < h * w; ++i) cls[i] = -10.0f;
  return head;
}

// Puts a sure detection in cell (x, y) whose l, t, r, b distances (in cells) are whole bins.
void setCell(cv::Mat& head, int x, int y, const int dist[4]) {
  const int h = head.size[2], w = head.size[3], plane = h * w;
  float* data = head.ptr<float>();
  for (int side = 0; side < 4; ++side) {
    data[(side * 16 + dist[side]) * plane + y * w + x] = 30.0f;  // softmax ~one-hot
  }
  data[64 * plane + y * w + x] = 10.0f;
}

TEST(YoloPlateDetectorTest, DecodesDistancesFromTheCellCentre) {
  cv::Mat head = emptyHead(4, 6);
  const int dist[4] = {1, 0, 2, 1};
  setCell(head, 2, 1, dist);
  std::vector<cv::Rect2f> boxes;
  std::vector<float> scores;
  decodeYoloHead(head, 8, 0.4f, boxes, scores);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_GT(scores[0], 0.99f);
  // centre (2.5, 1.5) cells; l 1, t 0, r 2, b 1 → x 1.5..4.5, y 1.5..2.5 cells, × stride 8
  EXPECT_NEAR(boxes[0].x, 12.0f, 1e-3f);
  EXPECT_NEAR(boxes[0].y, 12.0f, 1e-3f);
  EXPECT_NEAR(boxes[0].width, 24.0f, 1e-3f);
  EXPECT_NEAR(boxes[0].height, 8.0f, 1e-3f);
}

TEST(YoloPlateDetectorTest, DropsCellsUnderTheScoreThreshold) {
  cv::Mat head = emptyHead(3, 3);
  std::vector<cv::Rect2f> boxes;
  std::vector<float> scores;
  decodeYoloHead(head, 32, 0.4f, boxes, scores);
  EXPECT_TRUE(boxes.empty());
}

TEST(YoloPlateDetectorTest, RejectsAHeadOfAnotherShape) {
  const int dims[] = {1, 80, 2, 2};
  cv::Mat head(4, dims, CV_32F, cv::Scalar(0.0f));
  std::vector<cv::Rect2f> boxes;
  std::vector<float> scores;
  EXPECT_THROW(decodeYoloHead(head, 32, 0.4f, boxes, scores), std::runtime_error);
}

}  // namespace
}  // namespace lpr::ocr

namespace lpr::ocr {
namespace {

TEST(YoloPlateDetectorTest, RegionAroundIsCentredWithTheRequestedShape) {
  const cv::Rect roi = regionAround(cv::Rect(500, 300, 100, 40), cv::Size(1280, 720), 2.5f, 2.0f);
  EXPECT_EQ(roi.width, 250);
  EXPECT_EQ(roi.height, 125);
  EXPECT_NEAR(roi.x + roi.width / 2.0, 550.0, 1.0);
  EXPECT_NEAR(roi.y + roi.height / 2.0, 320.0, 1.0);
}

TEST(YoloPlateDetectorTest, RegionAroundShiftsIntoTheImageInsteadOfShrinking) {
  const cv::Rect roi = regionAround(cv::Rect(0, 690, 100, 30), cv::Size(1280, 720), 2.5f, 2.0f);
  EXPECT_EQ(roi.size(), cv::Size(250, 125));
  EXPECT_EQ(roi.x, 0);
  EXPECT_EQ(roi.y + roi.height, 720);
  // A tall box widens the region so that the whole plate fits in its height.
  const cv::Rect tall = regionAround(cv::Rect(400, 300, 40, 60), cv::Size(1280, 720), 2.5f, 2.0f);
  EXPECT_GE(tall.height, 150);
}

TEST(YoloPlateDetectorTest, CoarseToFineFindsTheSamePlatesAsTheFullPass) {
  YoloDetectorOptions full;
  full.coarseSize = 0;
  YoloPlateDetector fullPass(
      std::string(LPR_OCR_TEST_MODEL_DIR) + "/plate_det_yolov9t416_cv46.onnx", full);
  YoloPlateDetector coarseToFine(std::string(LPR_OCR_TEST_MODEL_DIR) +
                                 "/plate_det_yolov9t416_cv46.onnx");
  for (const char* file :
       {"us/0b86cecf-67d1-4fc0-87c9-b36b0ee228bb.jpg", "eu/eu1.jpg", "br/AYO9034.jpg"}) {
    SCOPED_TRACE(file);
    const cv::Mat image = cv::imread(std::string(LPR_OCR_TEST_PLATES) + "/" + file);
    ASSERT_FALSE(image.empty());
    const auto a = fullPass.detect(image);
    const auto b = coarseToFine.detect(image);
    ASSERT_FALSE(a.empty());
    ASSERT_FALSE(b.empty());
    const double inter = (a[0].box & b[0].box).area();
    EXPECT_GT(inter / (a[0].box.area() + b[0].box.area() - inter), 0.5);
  }
}

}  // namespace
}  // namespace lpr::ocr
