#include "ocr/plate_detector.h"

namespace lpr::ocr {

std::vector<PlateDetection> PlateDetector::detectNear(const cv::Mat& bgr, const cv::Rect& box) {
  const cv::Rect roi =
      cv::Rect(box.x - box.width / 2, box.y - box.height / 2, box.width * 2, box.height * 2) &
      cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (roi.area() == 0) return {};
  auto found = detect(bgr(roi));
  for (auto& d : found) d.box += roi.tl();
  return found;
}

}  // namespace lpr::ocr
