#pragma once

#include <Poco/Process.h>

#include <memory>
#include <optional>
#include <string>

namespace lpr::testing {

// A synthetic camera clip made from a plate photo: `leadIn` s of grey background, then the car
// approaches (the photo scales from a third of the frame to all of it over `approach` s, with
// sensor noise), stays 1 s, leaves, and the grey background runs on to `total` s. H.264,
// 640x360, 25 fps, a keyframe every second. Throws with ffmpeg's output on failure.
void makeApproachClip(const std::string& photo, const std::string& out, double leadIn = 0.5,
                      double approach = 3.0, double total = 40.0);

// tests/rtsp/rtsp_server.py (gst-rtsp-server) serving a clip at rtsp://127.0.0.1:<port>/cam,
// each session from the clip's start. The port is picked free on the first start and kept
// across restarts, so a client's URL stays valid.
class RtspTestCamera {
 public:
  RtspTestCamera(std::string clip, std::string logFile);
  ~RtspTestCamera();
  void start();  // throws when it does not come up within 15 s
  void kill();   // SIGKILL: the camera vanishes mid-stream
  bool running() const;
  int port() const { return port_; }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }

 private:
  bool launchAndWait(std::string& why);
  std::string clip_;
  std::string logFile_;
  int port_ = 0;
  std::unique_ptr<Poco::ProcessHandle> process_;
  mutable std::optional<int> exitCode_;
};

}  // namespace lpr::testing
