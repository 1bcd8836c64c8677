#pragma once

#include <chrono>
#include <opencv2/core.hpp>
#include <optional>
#include <string>

#include "vehicle_votes.h"

namespace lpr::plugins::source_rtsp {

// The region of interest as fractions of the frame, so it survives a resolution change.
struct RoiFraction {
  double x = 0.0, y = 0.0, width = 1.0, height = 1.0;
  cv::Rect inPixels(cv::Size frame) const;
};
// "x,y,width,height", each 0..1, the box inside the frame; nullopt when malformed.
std::optional<RoiFraction> parseRoi(const std::string& text);

// Lets frames through to the plate reader only while something moves in the region of interest:
// the share of pixels that changed since the previous frame (on a small, blurred grey copy, so
// sensor noise does not count) reaches `threshold`. A frame passes for `hold` after the last
// motion, so a car that stops at the barrier is still read. threshold 0 passes every frame.
class MotionGate {
 public:
  MotionGate(double threshold, std::chrono::milliseconds hold);
  bool pass(SteadyTime now, const cv::Mat& bgr, const RoiFraction& roi);
  double lastChange() const { return lastChange_; }  // share of changed pixels, last frame
  void reset() { previous_.release(); }

 private:
  double threshold_;
  std::chrono::milliseconds hold_;
  cv::Mat previous_;
  std::optional<SteadyTime> lastMotion_;
  double lastChange_ = 0.0;
};

}  // namespace lpr::plugins::source_rtsp
