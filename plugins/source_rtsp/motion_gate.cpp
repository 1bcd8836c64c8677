#include "motion_gate.h"

#include <opencv2/imgproc.hpp>
#include <sstream>
#include <vector>

namespace lpr::plugins::source_rtsp {
namespace {

constexpr int kWorkWidth = 160;     // motion needs no detail; small is cheap
constexpr double kPixelDelta = 25;  // grey levels a pixel must change by to count

}  // namespace

cv::Rect RoiFraction::inPixels(cv::Size frame) const {
  cv::Rect r(static_cast<int>(x * frame.width), static_cast<int>(y * frame.height),
             static_cast<int>(width * frame.width), static_cast<int>(height * frame.height));
  return r & cv::Rect(0, 0, frame.width, frame.height);
}

std::optional<RoiFraction> parseRoi(const std::string& text) {
  std::vector<double> values;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stod(part, &used));
      if (part.find_first_not_of(" \t", used) != std::string::npos) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (values.size() != 4) return std::nullopt;
  RoiFraction r{values[0], values[1], values[2], values[3]};
  const bool inside = r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 &&
                      r.x + r.width <= 1.0 + 1e-9 && r.y + r.height <= 1.0 + 1e-9;
  return inside ? std::optional<RoiFraction>(r) : std::nullopt;
}

MotionGate::MotionGate(double threshold, std::chrono::milliseconds hold)
    : threshold_(threshold), hold_(hold) {}

bool MotionGate::pass(SteadyTime now, const cv::Mat& bgr, const RoiFraction& roi) {
  if (threshold_ <= 0.0) return true;
  const cv::Rect area = roi.inPixels(bgr.size());
  if (area.empty()) return false;
  cv::Mat grey, small;
  cv::cvtColor(bgr(area), grey, cv::COLOR_BGR2GRAY);
  const double scale = std::min(1.0, static_cast<double>(kWorkWidth) / area.width);
  cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::GaussianBlur(small, small, cv::Size(5, 5), 0);
  if (previous_.empty() || previous_.size() != small.size()) {
    previous_ = small;
    lastChange_ = 0.0;
    return false;
  }
  cv::Mat diff;
  cv::absdiff(small, previous_, diff);
  previous_ = small;
  lastChange_ =
      static_cast<double>(cv::countNonZero(diff > kPixelDelta)) / static_cast<double>(diff.total());
  if (lastChange_ >= threshold_) lastMotion_ = now;
  return lastMotion_ && now - *lastMotion_ <= hold_;
}

}  // namespace lpr::plugins::source_rtsp
