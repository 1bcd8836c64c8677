#include "ocr/plate_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace lpr::ocr {

float plateConfidence(const std::vector<SlotProbs>& probs, const std::vector<int>& classes,
                      float detectorScore) {
  const auto chosen = chosenProbabilities(probs, classes);
  if (chosen.empty()) return 0.0f;
  float joint = detectorScore;
  for (float p : chosen) joint *= p;
  return joint;
}

PlateReader::PlateReader(std::unique_ptr<PlateDetector> detector,
                         std::unique_ptr<PlateRecognizer> recognizer, ReaderOptions options)
    : detector_(std::move(detector)), recognizer_(std::move(recognizer)), options_(options) {}

PlateReader PlateReader::fromModelDir(const std::string& dir, ReaderOptions options) {
  const auto path = [&](const char* name) {
    const auto p = std::filesystem::path(dir) / name;
    if (!std::filesystem::is_regular_file(p)) {
      throw std::runtime_error("plate model " + p.string() +
                               " not found (the build writes the rewritten models to "
                               "build/models; installed: share/lpr-gateway/models)");
    }
    return p.string();
  };
  const auto det = path(kDetectorModelFile);
  const auto rec = path(kRecognizerModelFile);
  return PlateReader(std::make_unique<YoloPlateDetector>(det, options.detector),
                     std::make_unique<PlateRecognizer>(rec), options);
}

PlateRead PlateReader::readBox(const cv::Mat& bgr, const cv::Rect& box, float detectorScore) {
  const cv::Rect image(0, 0, bgr.cols, bgr.rows);
  const cv::Rect clipped = box & image;
  PlateRead read;
  read.box = clipped;
  read.detectorScore = detectorScore;
  if (clipped.area() == 0) return read;
  const int dx = static_cast<int>(std::lround(box.width * options_.cropMargin));
  const int dy = static_cast<int>(std::lround(box.height * options_.cropMargin));
  const cv::Rect crop =
      cv::Rect(box.x - dx, box.y - dy, box.width + 2 * dx, box.height + 2 * dy) & image;
  const auto probs = recognizer_->recognize(bgr(crop));
  const auto raw = argmaxSlots(probs);
  const auto repaired = repairPlate(probs, raw, options_.region);
  read.rawText = slotsText(raw);
  read.text = slotsText(repaired);
  read.slotConfidence = chosenProbabilities(probs, repaired);
  read.confidence = plateConfidence(probs, repaired, detectorScore);
  return read;
}

std::vector<PlateRead> PlateReader::read(const cv::Mat& bgr) {
  return read(bgr, cv::Rect(0, 0, bgr.cols, bgr.rows));
}

std::vector<PlateRead> PlateReader::read(const cv::Mat& bgr, const cv::Rect& roi) {
  const cv::Rect area = roi & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (area.area() == 0) return {};
  auto detections = detector_->detect(bgr(area));
  for (auto& d : detections) d.box += area.tl();
  std::vector<PlateRead> reads;
  sortAndRecognize(bgr, std::move(detections), reads);
  return reads;
}

std::vector<PlateRead> PlateReader::readNear(const cv::Mat& bgr,
                                             const std::vector<cv::Rect>& boxes) {
  std::vector<PlateDetection> detections;
  for (const auto& box : boxes) {
    auto found = detector_->detectNear(bgr, box);
    if (!found.empty()) detections.push_back(found.front());
  }
  std::vector<PlateRead> reads;
  sortAndRecognize(bgr, std::move(detections), reads);
  return reads;
}

void PlateReader::sortAndRecognize(const cv::Mat& bgr, std::vector<PlateDetection> detections,
                                   std::vector<PlateRead>& reads) {
  std::stable_sort(
      detections.begin(), detections.end(),
      [](const PlateDetection& a, const PlateDetection& b) { return a.score > b.score; });
  if (static_cast<int>(detections.size()) > options_.maxPlates) {
    detections.resize(static_cast<std::size_t>(options_.maxPlates));
  }
  for (const auto& d : detections) {
    auto r = readBox(bgr, d.box, d.score);
    if (!r.text.empty()) reads.push_back(std::move(r));
  }
  std::stable_sort(reads.begin(), reads.end(), [](const PlateRead& a, const PlateRead& b) {
    return a.confidence > b.confidence;
  });
}

}  // namespace lpr::ocr
