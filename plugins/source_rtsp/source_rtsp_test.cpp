#include "source_rtsp.h"

#include <gtest/gtest.h>

#include <sstream>

#include "fake_plugin_context.h"

namespace lpr::plugins::source_rtsp {
namespace {

using lpr::testing::FakePluginContext;

TEST(SourceRtspConfig, SampleConfiguresCleanly) {
  FakePluginContext ctx("cam1");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.cam1.type", ""), "source_rtsp");
  SourceRtsp source;
  source.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  std::ostringstream out;
  source.describe(out);
  EXPECT_NE(out.str().find("backend = ffmpeg"), std::string::npos) << out.str();
}

TEST(SourceRtspConfig, BadValuesAndUnknownKeysAreNamed) {
  FakePluginContext ctx("cam");
  ctx.set("url", "http://cam/video")
      .set("roi", "0,0,2,1")
      .set("backend", "vlc")
      .set("reconnect_min_ms", "5000")
      .set("reconnect_max_ms", "1000")
      .set("bogus_key", "1");
  SourceRtsp source;
  source.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  const std::string text = ctx.problemText();
  for (const char* key : {"url", "roi", "backend", "reconnect_max_ms", "bogus_key"}) {
    EXPECT_NE(text.find(std::string("plugin.cam.") + key), std::string::npos) << key << "\n"
                                                                              << text;
  }
}

TEST(SourceRtspConfig, AMissingModelFolderIsFatalAndNamesTheKey) {
  FakePluginContext ctx("cam");
  ctx.set("url", "rtsp://127.0.0.1:1/x").set("models", "/nonexistent/models");
  SourceRtsp source;
  source.configure(ctx);
  const StartResult result = source.start();
  EXPECT_EQ(result.kind, StartResult::Kind::Fatal);
  EXPECT_NE(result.why.find("plugin.cam.models"), std::string::npos) << result.why;
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
