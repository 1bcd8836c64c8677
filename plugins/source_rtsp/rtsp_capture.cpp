#include "rtsp_capture.h"

#include <cstdlib>
#include <mutex>

namespace lpr::plugins::source_rtsp {

std::string gstreamerPipeline(const CaptureSettings& s) {
  // The URL is quoted: gst-launch syntax would split it at '!' or spaces otherwise.
  std::string url;
  for (char c : s.url) {
    if (c == '"' || c == '\\') url += '\\';
    url += c;
  }
  return "rtspsrc location=\"" + url + "\" latency=0" +
         (s.tcp ? " protocols=tcp tcp-timeout=" + std::to_string(s.readTimeoutMs * 1000LL)
                : " timeout=" + std::to_string(s.readTimeoutMs * 1000LL)) +
         " ! rtph264depay ! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=BGR"
         " ! appsink sync=false max-buffers=2 drop=true";
}

std::string ffmpegOptions(const CaptureSettings& s) {
  return std::string("rtsp_transport;") + (s.tcp ? "tcp" : "udp") +
         "|fflags;nobuffer|flags;low_delay";
}

bool openCapture(cv::VideoCapture& capture, const CaptureSettings& s) {
  if (s.backend == CaptureSettings::Backend::GStreamer) {
    return capture.open(gstreamerPipeline(s), cv::CAP_GSTREAMER);
  }
  {
    // OpenCV reads its FFmpeg options from the environment at open; cameras opening at once
    // share it, so they take turns.
    static std::mutex envMutex;
    std::lock_guard<std::mutex> lock(envMutex);
    setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", ffmpegOptions(s).c_str(), 1);
    return capture.open(s.url, cv::CAP_FFMPEG,
                        {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, s.openTimeoutMs,
                         cv::CAP_PROP_READ_TIMEOUT_MSEC, s.readTimeoutMs});
  }
}

}  // namespace lpr::plugins::source_rtsp
