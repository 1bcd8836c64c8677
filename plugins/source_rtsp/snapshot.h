#pragma once

#include <cstddef>
#include <opencv2/core.hpp>
#include <string>

namespace lpr::plugins::source_rtsp {

// The 2N limit on a read's image.
inline constexpr std::size_t kSnapshotMaxBytes = 256 * 1024;

// The frame as a JPEG of at most `maxBytes`: quality is lowered first, then the frame is halved,
// until it fits. Empty when even a tiny copy does not fit.
std::string encodeSnapshot(const cv::Mat& bgr, std::size_t maxBytes = kSnapshotMaxBytes);

}  // namespace lpr::plugins::source_rtsp
