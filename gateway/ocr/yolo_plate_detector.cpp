#include "ocr/yolo_plate_detector.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
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

cv::Rect regionAround(const cv::Rect& box, cv::Size image, float widths, float aspect) {
  const int w = std::max(static_cast<int>(std::lround(box.width * widths)),
                         static_cast<int>(std::lround(box.height * widths * aspect)));
  const int h = static_cast<int>(std::lround(w / aspect));
  int x = box.x + box.width / 2 - w / 2;
  int y = box.y + box.height / 2 - h / 2;
  x = std::max(0, std::min(x, image.width - w));
  y = std::max(0, std::min(y, image.height - h));
  return cv::Rect(x, y, w, h) & cv::Rect(0, 0, image.width, image.height);
}

YoloPlateDetector::YoloPlateDetector(const std::string& onnxPath, YoloDetectorOptions options)
    : options_(options) {
  if (options_.inputSize <= 0 || options_.inputSize % kStride != 0 || options_.coarseSize < 0 ||
      options_.coarseSize % kStride != 0 || options_.refineSize <= 0 ||
      options_.refineSize % (2 * kStride) != 0) {
    throw std::invalid_argument(
        "plate detector: input and coarse sizes must be multiples of 32, the refine size of 64");
  }
  std::ifstream in(onnxPath, std::ios::binary);
  model_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in || model_.empty()) {
    throw std::runtime_error("plate detector: cannot read " + onnxPath);
  }
  // Fails early on a bad model, and plans the fixed-shape nets now rather than on the first
  // images.
  netFor(cv::Size(options_.inputSize, options_.inputSize));
  if (options_.coarseSize > 0) {
    netFor(cv::Size(options_.refineSize, options_.refineSize / 2));
    if (!options_.rectangularInput) netFor(cv::Size(options_.coarseSize, options_.coarseSize));
  }
}

cv::dnn::Net& YoloPlateDetector::netFor(cv::Size input) {
  for (auto it = nets_.begin(); it != nets_.end(); ++it) {
    if (it->first == input) {
      nets_.splice(nets_.begin(), nets_, it);
      return nets_.front().second;
    }
  }
  auto net = cv::dnn::readNetFromONNX(model_);
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  nets_.emplace_front(input, std::move(net));
  if (nets_.size() > std::max<std::size_t>(1, options_.shapeCacheSize)) nets_.pop_back();
  return nets_.front().second;
}

std::vector<PlateDetection> YoloPlateDetector::detectAt(const cv::Mat& bgr, int inputSize,
                                                        float threshold) {
  if (bgr.empty()) return {};
  const double scale = std::min(static_cast<double>(inputSize) / bgr.cols,
                                static_cast<double>(inputSize) / bgr.rows);
  const int rw = std::max(1, static_cast<int>(std::lround(bgr.cols * scale)));
  const int rh = std::max(1, static_cast<int>(std::lround(bgr.rows * scale)));
  const cv::Size input = options_.rectangularInput
                             ? cv::Size(roundUp(rw, kStride), roundUp(rh, kStride))
                             : cv::Size(inputSize, inputSize);
  return run(bgr, input, threshold);
}

std::vector<PlateDetection> YoloPlateDetector::refine(const cv::Mat& bgr, const cv::Rect& box) {
  constexpr float kAspect = 2.0f;
  const cv::Rect roi = regionAround(box, bgr.size(), options_.refineRoiWidths, kAspect);
  if (roi.area() == 0) return {};
  // A fixed input shape whatever the region's size, so one cached net serves every refine.
  auto found = run(bgr(roi), cv::Size(options_.refineSize, options_.refineSize / 2),
                   options_.scoreThreshold);
  std::vector<PlateDetection> out;
  for (auto& d : found) {
    d.box += roi.tl();
    if ((d.box & box).area() > 0) out.push_back(d);
  }
  return out;
}

std::vector<PlateDetection> YoloPlateDetector::detect(const cv::Mat& bgr) {
  if (bgr.empty()) return {};
  if (options_.coarseSize > 0 && options_.coarseSize < options_.inputSize) {
    auto proposals = detectAt(bgr, options_.coarseSize, options_.proposalThreshold);
    if (static_cast<int>(proposals.size()) > options_.maxProposals) {
      proposals.resize(static_cast<std::size_t>(options_.maxProposals));
    }
    const double coarseScale =
        static_cast<double>(options_.coarseSize) / std::max(bgr.cols, bgr.rows);
    std::vector<PlateDetection> confirmed;
    for (const auto& p : proposals) {
      if (options_.acceptWidth > 0 && p.score >= options_.scoreThreshold &&
          p.box.width * coarseScale >= options_.acceptWidth) {
        confirmed.push_back(p);
        continue;
      }
      auto found = refine(bgr, p.box);
      if (!found.empty()) confirmed.push_back(found.front());
    }
    if (!confirmed.empty()) {
      std::sort(confirmed.begin(), confirmed.end(),
                [](const PlateDetection& a, const PlateDetection& b) { return a.score > b.score; });
      return confirmed;
    }
  }
  return detectAt(bgr, options_.inputSize, options_.scoreThreshold);
}

std::vector<PlateDetection> YoloPlateDetector::run(const cv::Mat& bgr, cv::Size input,
                                                   float threshold) {
  const double scale = std::min(static_cast<double>(input.width) / bgr.cols,
                                static_cast<double>(input.height) / bgr.rows);
  const int rw =
      std::max(1, std::min(input.width, static_cast<int>(std::lround(bgr.cols * scale))));
  const int rh =
      std::max(1, std::min(input.height, static_cast<int>(std::lround(bgr.rows * scale))));
  const int padX = (input.width - rw) / 2;
  const int padY = (input.height - rh) / 2;

  cv::Mat letterboxed(input, CV_8UC3, cv::Scalar::all(kPad));
  cv::resize(bgr, letterboxed(cv::Rect(padX, padY, rw, rh)), cv::Size(rw, rh), 0, 0,
             cv::INTER_LINEAR);
  cv::dnn::Net& net = netFor(input);
  net.setInput(
      cv::dnn::blobFromImage(letterboxed, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false));
  std::vector<cv::Mat> heads;
  net.forward(heads, net.getUnconnectedOutLayersNames());

  std::vector<cv::Rect2f> boxes;
  std::vector<float> scores;
  for (const auto& head : heads) {
    decodeYoloHead(head, input.height / head.size[2], threshold, boxes, scores);
  }
  std::vector<cv::Rect2d> nmsBoxes(boxes.begin(), boxes.end());
  std::vector<int> keep;
  cv::dnn::NMSBoxes(nmsBoxes, scores, threshold, options_.nmsThreshold, keep);

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
