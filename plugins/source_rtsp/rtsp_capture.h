#pragma once

#include <opencv2/videoio.hpp>
#include <string>

namespace lpr::plugins::source_rtsp {

// How frames come off the camera. FFmpeg is the default: OpenCV 4.6 honours open/read timeouts
// there, while its GStreamer backend waits for the pipeline without any (timeouts came in
// OpenCV 4.7), and reopening a camera killed at the wrong moment was seen to block open() for
// good: that camera never came back and the gateway could not stop. GStreamer hands a frame
// over 2 ms (p50) after it arrives where FFmpeg's decoder holds ~82 ms (loopback, 25 fps), so
// backend = gstreamer stays for sites that want those 80 ms and accept the risk; rtspsrc's own
// tcp-timeout stands in for the read timeout there.
struct CaptureSettings {
  enum class Backend { GStreamer, FFmpeg };
  std::string url;
  Backend backend = Backend::FFmpeg;
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
