#include "ocr/yolo_plate_detector.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace lpr::ocr {
namespace {

constexpr int kStride = 32;
constexpr int kDflBins = 16;
constexpr int kPad = 114;  // the letterbox grey the model was trained with

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

void decodeYoloHead(const cv::Mat& head, int stride, float scoreThreshold,
                    std::vector<cv::Rect2f>& boxes, std::vector<float>& scores) {
  if (head.dims != 4 || head.size[1] != 4 * kDflBins + 1) {
    throw std::runtime_error("plate detector: unexpected head shape");
  }
  const int h = head.size[2];
  const int w = head.size[3];
  const int plane = h * w;
  const auto* data = head.ptr<float>();
  const float* cls = data + 4 * kDflBins * plane;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int cell = y * w + x;
      const float score = sigmoid(cls[cell]);
      if (score < scoreThreshold) continue;
      float dist[4];  // l, t, r, b in cells: expectation over the softmax of 16 bins
      for (int side = 0; side < 4; ++side) {
        const float* bins = data + side * kDflBins * plane + cell;
        float mx = bins[0];
        for (int b = 1; b < kDflBins; ++b) mx = std::max(mx, bins[b * plane]);
        float sum = 0.0f, expect = 0.0f;
        for (int b = 0; b < kDflBins; ++b) {
          const float e = std::exp(bins[b * plane] - mx);
          sum += e;
          expect += e * static_cast<float>(b);
        }
        dist[side] = expect / sum;
      }
      const float cx = static_cast<float>(x) + 0.5f;
      const float cy = static_cast<float>(y) + 0.5f;
      const float x0 = (cx - dist[0]) * stride, y0 = (cy - dist[1]) * stride;
      const float x1 = (cx + dist[2]) * stride, y1 = (cy + dist[3]) * stride;
      boxes.emplace_back(x0, y0, x1 - x0, y1 - y0);
      scores.push_back(score);
    }
  }
}

YoloPlateDetector::YoloPlateDetector(const std::string& onnxPath, YoloDetectorOptions options)
    : options_(options) {
  if (options_.inputSize <= 0 || options_.inputSize % kStride != 0) {
    throw std::invalid_argument("plate detector: input size must be a positive multiple of 32");
  }
  net_ = cv::dnn::readNetFromONNX(onnxPath);
  net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  outputNames_ = net_.getUnconnectedOutLayersNames();
}

std::vector<PlateDetection> YoloPlateDetector::detect(const cv::Mat& bgr) {
  if (bgr.empty()) return {};
  const int size = options_.inputSize;
  const double scale =
      std::min(static_cast<double>(size) / bgr.cols, static_cast<double>(size) / bgr.rows);
  const int rw = std::max(1, static_cast<int>(std::lround(bgr.cols * scale)));
  const int rh = std::max(1, static_cast<int>(std::lround(bgr.rows * scale)));
  const int inW = options_.rectangularInput ? roundUp(rw, kStride) : size;
  const int inH = options_.rectangularInput ? roundUp(rh, kStride) : size;
  const int padX = (inW - rw) / 2;
  const int padY = (inH - rh) / 2;

  cv::Mat input(inH, inW, CV_8UC3, cv::Scalar::all(kPad));
  cv::resize(bgr, input(cv::Rect(padX, padY, rw, rh)), cv::Size(rw, rh), 0, 0, cv::INTER_LINEAR);
  net_.setInput(cv::dnn::blobFromImage(input, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false));
  std::vector<cv::Mat> heads;
  net_.forward(heads, outputNames_);

  std::vector<cv::Rect2f> boxes;
  std::vector<float> scores;
  for (const auto& head : heads) {
    decodeYoloHead(head, inH / head.size[2], options_.scoreThreshold, boxes, scores);
  }
  std::vector<cv::Rect2d> nmsBoxes(boxes.begin(), boxes.end());
  std::vector<int> keep;
  cv::dnn::NMSBoxes(nmsBoxes, scores, options_.scoreThreshold, options_.nmsThreshold, keep);

  std::vector<PlateDetection> plates;
  const cv::Rect imageRect(0, 0, bgr.cols, bgr.rows);
  for (int i : keep) {
    const cv::Rect2f& b = boxes[i];
    const cv::Rect box(static_cast<int>(std::floor((b.x - padX) / scale)),
                       static_cast<int>(std::floor((b.y - padY) / scale)),
                       static_cast<int>(std::ceil(b.width / scale)),
                       static_cast<int>(std::ceil(b.height / scale)));
    const cv::Rect clipped = box & imageRect;
    if (clipped.area() > 0) plates.push_back({clipped, scores[i]});
  }
  std::sort(plates.begin(), plates.end(),
            [](const PlateDetection& a, const PlateDetection& b) { return a.score > b.score; });
  return plates;
}

}  // namespace lpr::ocr
