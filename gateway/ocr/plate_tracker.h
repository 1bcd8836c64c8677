#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "ocr/plate_reader.h"

namespace lpr::ocr {

// Reads plates in consecutive frames of one camera with fewer full detector runs: while plates
// are in view, each frame only looks near where they were (PlateReader::readNear); a full
// detection runs when they are lost, when there were none, and every `fullEvery` frames so that
// a second vehicle is not missed.
class PlateTracker {
 public:
  explicit PlateTracker(PlateReader& reader, int fullEvery = 10);

  std::vector<PlateRead> next(const cv::Mat& frame);
  // Forget the tracked plates (a scene cut, a camera reconnect).
  void reset();

  int fullDetections() const { return fullDetections_; }

 private:
  PlateReader& reader_;
  int fullEvery_;
  int sinceFull_ = 0;
  int fullDetections_ = 0;
  std::vector<cv::Rect> tracked_;
};

}  // namespace lpr::ocr
