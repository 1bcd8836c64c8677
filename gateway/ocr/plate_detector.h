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
  // The plate near `box` (where a tracked plate was in the previous frame), in image pixels;
  // empty when it is gone. Much cheaper than detect() for detectors that can look at a region
  // of interest; this default just runs detect() over a region of twice the box's size.
  virtual std::vector<PlateDetection> detectNear(const cv::Mat& bgr, const cv::Rect& box);
};

}  // namespace lpr::ocr
