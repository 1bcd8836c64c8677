#include "rtsp_capture.h"

#include <gtest/gtest.h>

namespace lpr::plugins::source_rtsp {
namespace {

TEST(RtspCaptureTest, GStreamerPipelineQuotesTheUrlAndKeepsOnlyNewFrames) {
  CaptureSettings s;
  s.url = "rtsp://u:p@cam/a b\"c";
  s.readTimeoutMs = 2500;
  const std::string p = gstreamerPipeline(s);
  EXPECT_NE(p.find("location=\"rtsp://u:p@cam/a b\\\"c\""), std::string::npos) << p;
  EXPECT_NE(p.find("latency=0 protocols=tcp tcp-timeout=2500000"), std::string::npos) << p;
  EXPECT_NE(p.find("appsink sync=false max-buffers=2 drop=true"), std::string::npos) << p;
  s.tcp = false;
  EXPECT_NE(gstreamerPipeline(s).find("timeout=2500000"), std::string::npos);
  EXPECT_EQ(gstreamerPipeline(s).find("protocols=tcp"), std::string::npos);
}

TEST(RtspCaptureTest, FFmpegOptionsAskForLowLatency) {
  CaptureSettings s;
  EXPECT_EQ(ffmpegOptions(s), "rtsp_transport;tcp|fflags;nobuffer|flags;low_delay");
}

TEST(RtspCaptureTest, NothingListeningFailsToOpen) {
  cv::VideoCapture capture;
  CaptureSettings s;
  s.url = "rtsp://127.0.0.1:1/none";  // port 1: nothing listens there
  s.backend = CaptureSettings::Backend::FFmpeg;
  EXPECT_FALSE(openCapture(capture, s) && capture.isOpened());
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
