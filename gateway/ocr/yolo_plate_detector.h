#pragma once

#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "ocr/plate_detector.h"

namespace lpr::ocr {

struct YoloDetectorOptions {
  // Longest side of the letterboxed detector input (a multiple of 32). The model was trained at
  // 416; smaller is faster but loses small, distant plates.
  int inputSize = 416;
  // Pad the short side only up to the next multiple of 32 instead of to a square: a 16:9 frame
  // costs 416×256 instead of 416×416, at the same scale, so the same plates are found.
  bool rectangularInput = true;
  float scoreThreshold = 0.4f;
  float nmsThreshold = 0.5f;
};

// open-image-models YOLOv9-t plate detector, rewritten for OpenCV 4.6 (make_cv46_models.py):
// the graph ends at the three raw heads; DFL decoding and NMS happen here.
class YoloPlateDetector : public PlateDetector {
 public:
  YoloPlateDetector(const std::string& onnxPath, YoloDetectorOptions options = {});
  std::vector<PlateDetection> detect(const cv::Mat& bgr) override;

 private:
  cv::dnn::Net net_;
  YoloDetectorOptions options_;
  std::vector<std::string> outputNames_;
};

// Pure post-processing, exposed for tests: decodes one raw head [1, 65, H, W] (64 DFL bins for
// l, t, r, b, then the plate logit) into boxes in detector-input pixels.
void decodeYoloHead(const cv::Mat& head, int stride, float scoreThreshold,
                    std::vector<cv::Rect2f>& boxes, std::vector<float>& scores);

}  // namespace lpr::ocr
