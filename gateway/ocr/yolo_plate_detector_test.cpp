#include "ocr/yolo_plate_detector.h"

#include <gtest/gtest.h>

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
