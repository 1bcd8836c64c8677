#pragma once

#include <chrono>
#include <optional>

#include "vehicle_votes.h"

namespace lpr::plugins::source_rtsp {

// The analysis rate limit: at most `maxPerSecond` frames go to the plate reader (0: no limit).
// Pure: the caller passes the time.
class RateLimiter {
 public:
  explicit RateLimiter(double maxPerSecond) : maxPerSecond_(maxPerSecond) {}
  bool admit(SteadyTime now) {
    if (maxPerSecond_ <= 0.0) return true;
    const auto interval = std::chrono::duration_cast<SteadyTime::duration>(
        std::chrono::duration<double>(1.0 / maxPerSecond_));
    if (admitted_ && now - last_ < interval) return false;
    admitted_ = true;
    last_ = now;
    return true;
  }

 private:
  double maxPerSecond_;
  // Not std::optional: GCC 12 inlines admit() into the analysis loop and warns that the
  // optional's time may be used uninitialized (-Wmaybe-uninitialized), a false positive.
  bool admitted_ = false;
  SteadyTime last_{};
};

// An external trigger (a loop detector's HTTP call or MQTT message): frames are analysed only
// within `window` after the last one. Pure: the caller passes the time.
class TriggerWindow {
 public:
  explicit TriggerWindow(std::chrono::milliseconds window) : window_(window) {}
  void fire(SteadyTime now) { last_ = now; }
  bool open(SteadyTime now) const { return last_ && now - *last_ <= window_; }

 private:
  std::chrono::milliseconds window_;
  std::optional<SteadyTime> last_;
};

}  // namespace lpr::plugins::source_rtsp
