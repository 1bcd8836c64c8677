#include "rtsp_test_camera.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "test_env.h"

namespace lpr::testing {
namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

}  // namespace

void makeApproachClip(const std::string& photo, const std::string& out, double leadIn,
                      double approach, double total) {
  const std::string end = num(leadIn + approach);
  const std::string gone = num(leadIn + approach + 1.0);
  // Scale factor: 1/3 at leadIn, 1 at leadIn + approach (eval=frame re-evaluates per frame).
  const std::string f = "(0.34+0.66*min(max(t-" + num(leadIn) + ",0)/" + num(approach) + ",1))";
  const std::string filter =
      "[1:v]scale=w='2*trunc(320*" + f +
      ")':h=-2:eval=frame[car];"
      "[0:v][car]overlay=x='(W-w)/2':y='(H-h)/2':eval=frame:enable='between(t," +
      num(leadIn) + "," + gone + ")',noise=alls=10:allf=t:enable='lte(t," + gone +
      ")',format=yuv420p[v]";
  const std::string log = out + ".ffmpeg.log";
  const std::string cmd =
      "ffmpeg -nostdin -y -loglevel error -f lavfi -i color=c=0x5a5a5a:s=640x360:r=25:d=" +
      num(total) + " -loop 1 -framerate 25 -t " + end + " -i " + quote(photo) +
      " -filter_complex " + quote(filter) +
      " -map '[v]' -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -bf 0 "
      "-pix_fmt yuv420p " +
      quote(out) + " >" + quote(log) + " 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    throw std::runtime_error("ffmpeg could not make the clip: " + cmd + "\n" + readFile(log));
  }
}

RtspTestCamera::RtspTestCamera(std::string clip, std::string logFile)
    : clip_(std::move(clip)), logFile_(std::move(logFile)) {}

RtspTestCamera::~RtspTestCamera() {
  if (running()) kill();
}

bool RtspTestCamera::running() const {
  if (!process_ || exitCode_) return false;
  const int rc = process_->tryWait();
  if (rc == -1) return true;
  exitCode_ = rc;
  return false;
}

void RtspTestCamera::kill() {
  if (!running()) return;
  ::kill(process_->id(), SIGKILL);
  exitCode_ = process_->wait();
}

bool RtspTestCamera::launchAndWait(std::string& why) {
  const std::size_t offset = readFile(logFile_).size();
  exitCode_.reset();
  const std::string script =
      std::string(std::getenv("LPR_SOURCE_DIR")) + "/tests/rtsp/rtsp_server.py";
  // exec: the shell becomes the server, so the pid we signal is the server's own.
  process_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
      "/bin/sh", {"-c", "exec /usr/bin/python3 " + quote(script) + " " + std::to_string(port_) +
                            " " + quote(clip_) + " >>" + quote(logFile_) + " 2>&1"}));
  const std::string ready = "ready " + std::to_string(port_);
  const bool up = waitFor(
      [&] {
        return !running() || readFile(logFile_).substr(offset).find(ready) != std::string::npos;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(10));
  if (up && running()) return true;
  why = readFile(logFile_).substr(offset);
  if (running()) kill();
  return false;
}

void RtspTestCamera::start() {
  std::string why;
  for (int attempt = 0; attempt < 50; ++attempt) {
    const bool first = port_ == 0;
    if (first) port_ = freeLoopbackPort();
    if (launchAndWait(why)) return;
    // A first start may move to another port; a restart keeps the URL and retries the bind
    // (the killed server's socket may linger a moment).
    if (first) port_ = 0;
    waitFor([] { return false; }, std::chrono::milliseconds(100));
  }
  throw std::runtime_error("the RTSP test server did not start: " + why);
}

}  // namespace lpr::testing
