#include "ocr/plate_tracker.h"

#include <algorithm>

namespace lpr::ocr {

PlateTracker::PlateTracker(PlateReader& reader, int fullEvery)
    : reader_(reader), fullEvery_(std::max(1, fullEvery)) {}

void PlateTracker::reset() {
  tracked_.clear();
  sinceFull_ = 0;
}

std::vector<PlateRead> PlateTracker::next(const cv::Mat& frame) {
  std::vector<PlateRead> reads;
  if (!tracked_.empty() && sinceFull_ < fullEvery_) {
    reads = reader_.readNear(frame, tracked_);
    ++sinceFull_;
  }
  if (reads.empty()) {
    reads = reader_.read(frame);
    ++fullDetections_;
    sinceFull_ = 1;
  }
  tracked_.clear();
  for (const auto& r : reads) tracked_.push_back(r.box);
  return reads;
}

}  // namespace lpr::ocr
