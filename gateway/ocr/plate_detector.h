#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace lpr::ocr {

struct PlateDetection {
  cv::Rect box;        // in the pixels of the image given to detect()
  float score = 0.0f;  // detector confidence, 0..1
};

// The plate detector behind the reader. An interface so that the YOLOv9 detector (GPL-3.0
// architecture, see README) can be replaced without touching recognition.
class PlateDetector {
 public:
  virtual ~PlateDetector() = default;
  // Plates in a BGR image, best score first.
  virtual std::vector<PlateDetection> detect(const cv::Mat& bgr) = 0;
};

}  // namespace lpr::ocr
