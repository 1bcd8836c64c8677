#pragma once

#include <list>
#include <opencv2/dnn.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ocr/plate_detector.h"

namespace lpr::ocr {

struct YoloDetectorOptions {
  // Longest side of the letterboxed detector input for a full pass (a multiple of 32). The
  // model was trained at 416; smaller is faster but loses small, distant plates.
  int inputSize = 416;
  // Letterbox to a square (false), or pad the short side only up to the next multiple of 32
  // (true): a 16:9 frame then costs 416×256 instead of 416×416 at the same scale. OpenCV
  // re-plans a net for every new input shape (about three passes' worth of time), so the
  // rectangular input pays off for a camera's fixed frame size, and the square one for photos
  // of mixed sizes, where every pass then has one of three fixed shapes.
  bool rectangularInput = false;
  float scoreThreshold = 0.4f;
  float nmsThreshold = 0.5f;
  // Coarse to fine (0 turns it off): a pass at this size proposes plates (score ≥
  // proposalThreshold), and each proposal is confirmed and its box made exact by a pass over a
  // region of interest around it, where the plate is large. Only when no proposal is confirmed
  // does the full pass at inputSize run. On the benchmark photos this takes the mean engine
  // time per image from 111 to 62 ms (one thread) at the same accuracy.
  int coarseSize = 256;
  float proposalThreshold = 0.2f;
  int maxProposals = 3;
  // A proposal at least this wide in the coarse input (and scoring scoreThreshold) is already
  // well resolved: its box is taken as it is, without the refine pass. 0: always refine.
  int acceptWidth = 48;
  // The region of interest is refineRoiWidths plate widths wide, 2:1, fed at refineSize ×
  // refineSize/2 (the plate then spans about 75 px: enough for an exact box, 192 read as well
  // as 256 at two thirds of the cost).
  int refineSize = 192;
  float refineRoiWidths = 2.5f;
  // Nets kept, one per input shape (full, coarse, refine); each costs about 25 MB.
  std::size_t shapeCacheSize = 3;
};

// open-image-models YOLOv9-t plate detector, rewritten for OpenCV 4.6 (make_cv46_models.py):
// the graph ends at the three raw heads; DFL decoding and NMS happen here.
class YoloPlateDetector : public PlateDetector {
 public:
  YoloPlateDetector(const std::string& onnxPath, YoloDetectorOptions options = {});
  std::vector<PlateDetection> detect(const cv::Mat& bgr) override;
  std::vector<PlateDetection> detectNear(const cv::Mat& bgr, const cv::Rect& box) override {
    return refine(bgr, box);
  }

  // One pass over the whole image letterboxed to `inputSize` (longest side).
  std::vector<PlateDetection> detectAt(const cv::Mat& bgr, int inputSize, float threshold);
  // The plate near `box` (a proposal, or where a tracked plate was): one pass over a region of
  // interest around it. Empty when no plate is confirmed there.
  std::vector<PlateDetection> refine(const cv::Mat& bgr, const cv::Rect& box);

 private:
  std::vector<PlateDetection> run(const cv::Mat& bgr, cv::Size input, float threshold);
  cv::dnn::Net& netFor(cv::Size input);

  std::vector<uchar> model_;
  YoloDetectorOptions options_;
  std::list<std::pair<cv::Size, cv::dnn::Net>> nets_;  // most recently used first
};

// Pure post-processing, exposed for tests: decodes one raw head [1, 65, H, W] (64 DFL bins for
// l, t, r, b, then the plate logit) into boxes in detector-input pixels.
void decodeYoloHead(const cv::Mat& head, int stride, float scoreThreshold,
                    std::vector<cv::Rect2f>& boxes, std::vector<float>& scores);

// The region of interest refine() looks at: `widths` plate widths wide and at least `widths`
// plate heights high, `aspect` (w/h), centred
// on the box and shifted to lie inside the image where the image is large enough.
cv::Rect regionAround(const cv::Rect& box, cv::Size image, float widths, float aspect);

}  // namespace lpr::ocr
