#pragma once

#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "ocr/slot_decoding.h"

namespace lpr::ocr {

// fast-plate-ocr cct-xs-v2 recognizer, rewritten for OpenCV 4.6 (make_cv46_models.py): float
// RGB 0-255, NHWC 1×64×128×3, plain resize; out: logits 1×slots×37.
class PlateRecognizer {
 public:
  explicit PlateRecognizer(const std::string& onnxPath);
  // Per-slot class probabilities for one BGR plate crop.
  std::vector<SlotProbs> recognize(const cv::Mat& bgrCrop);

 private:
  cv::dnn::Net net_;
};

}  // namespace lpr::ocr
