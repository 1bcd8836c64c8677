#pragma once

#include <opencv2/videoio.hpp>
#include <string>

namespace lpr::plugins::source_rtsp {

// How frames come off the camera. GStreamer is the default: measured on loopback at 25 fps it
// hands a frame over 2 ms (p50) / 5 ms (p95) after it arrives, where FFmpeg's decoder holds
// ~82 ms (docs: test-infra §5). OpenCV 4.6 cannot pass open/read timeouts to its GStreamer
// backend, so rtspsrc's own tcp-timeout stands in for the read timeout there.
struct CaptureSettings {
  enum class Backend { GStreamer, FFmpeg };
  std::string url;
  Backend backend = Backend::GStreamer;
  bool tcp = true;  // RTP over the RTSP connection: no UDP ports to open, no loss reordering
  int openTimeoutMs = 5000;
  int readTimeoutMs = 3000;
};

// The GStreamer launch line for an H.264 RTSP camera (appsink keeps only the newest frames).
std::string gstreamerPipeline(const CaptureSettings& settings);
// The FFmpeg options (OPENCV_FFMPEG_CAPTURE_OPTIONS) for low latency.
std::string ffmpegOptions(const CaptureSettings& settings);

// Opens the camera; false when it does not answer or refuses.
bool openCapture(cv::VideoCapture& capture, const CaptureSettings& settings);

}  // namespace lpr::plugins::source_rtsp
