#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "ocr/plate_detector.h"
#include "ocr/plate_format.h"
#include "ocr/plate_recognizer.h"
#include "ocr/yolo_plate_detector.h"

namespace lpr::ocr {

// The rewritten model files in a model folder (make_cv46_models.py writes them).
inline constexpr const char* kDetectorModelFile = "plate_det_yolov9t416_cv46.onnx";
inline constexpr const char* kRecognizerModelFile = "plate_ocr_cct_xs_v2_cv46.onnx";

struct PlateRead {
  std::string text;         // A-Z0-9, after the region's format repair
  std::string rawText;      // the recognizer's own argmax read
  float confidence = 0.0f;  // plate confidence, see plateConfidence()
  float detectorScore = 0.0f;
  // Per character of `text`, then the slot that ends the plate (when the plate is shorter than
  // the recognizer's slots): the recognizer's probability of what was chosen there.
  std::vector<float> slotConfidence;
  cv::Rect box;  // in the image's pixels
};

struct ReaderOptions {
  Region region = Region::Auto;
  int maxPlates = 3;  // recognizer runs per image, best detector scores first
  // The detector's box is tight on the plate; the recognizer reads better with some border
  // (fast-plate-ocr trains on loose crops): this much of the box's width and height is added on
  // each side. 0.08-0.15 read alike on the benchmark; 0 loses about 1 US plate in 14.
  float cropMargin = 0.10f;
  YoloDetectorOptions detector;
};

// Confidence that a read is right: the recognizer's probability of the whole read (the product
// over the text slots and the slot that ends the plate of the probability of the chosen class,
// so a repaired character costs what the recognizer thought of it) times the detector's score
// that the box is a plate. On the benchmark it ranks right above wrong reads with ROC AUC 0.87
// once the documented label errors are left out (bench/ocr prints it).
float plateConfidence(const std::vector<SlotProbs>& probs, const std::vector<int>& classes,
                      float detectorScore);

// Detector + recognizer + format repair. Not thread-safe (the nets keep state per call): one
// reader per thread.
class PlateReader {
 public:
  PlateReader(std::unique_ptr<PlateDetector> detector, std::unique_ptr<PlateRecognizer> recognizer,
              ReaderOptions options);
  // Loads both models from a folder of rewritten models; throws naming a missing file.
  static PlateReader fromModelDir(const std::string& dir, ReaderOptions options = {});

  // Plates in a BGR image, highest confidence first.
  std::vector<PlateRead> read(const cv::Mat& bgr);
  // Only looks inside `roi` (clipped to the image): a motion area or the neighbourhood of a
  // tracked plate, which keeps plates large in the detector input and the detector cheap.
  std::vector<PlateRead> read(const cv::Mat& bgr, const cv::Rect& roi);
  // The plates near the given boxes (see PlateDetector::detectNear), for tracking.
  std::vector<PlateRead> readNear(const cv::Mat& bgr, const std::vector<cv::Rect>& boxes);
  // Recognition of a known plate box, without the detector.
  PlateRead readBox(const cv::Mat& bgr, const cv::Rect& box, float detectorScore = 1.0f);

 private:
  void sortAndRecognize(const cv::Mat& bgr, std::vector<PlateDetection> detections,
                        std::vector<PlateRead>& reads);

  std::unique_ptr<PlateDetector> detector_;
  std::unique_ptr<PlateRecognizer> recognizer_;
  ReaderOptions options_;
};

}  // namespace lpr::ocr
