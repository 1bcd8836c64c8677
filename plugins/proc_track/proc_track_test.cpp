#include "proc_track.h"

#include <gtest/gtest.h>

#include "fake_plugin_context.h"

namespace lpr::plugins::proc_track {
namespace {

using namespace std::chrono_literals;
using lpr::testing::FakePluginContext;

PlateEvent read(const std::string& plate, int n) {
  PlateEvent e;
  e.id = "ev-" + std::to_string(n);
  e.sourceId = "cam";
  e.plate = e.plateRaw = plate;
  return e;
}

TEST(ProcTrackDescriptor, IsTheProcessorNamedLikeItsFolder) {
  EXPECT_EQ(kDescriptor.name, "proc_track");
  EXPECT_EQ(kDescriptor.kind, PluginKind::Processor);
}

TEST(ProcTrackSample, SamplePropertiesConfigureCleanly) {
  FakePluginContext ctx("track");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ProcTrack track;
  track.configure(ctx);
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(track.options().cooldown, 30s);
}

TEST(ProcTrackConfig, BadValuesNameTheirKey) {
  FakePluginContext ctx("track");
  ctx.set("max_edits", "7").set("min_confidence", "1.5").set("window", "10");
  ProcTrack track;
  track.configure(ctx);
  ctx.config().reportUnknownKeys();
  const std::string text = ctx.problemText();
  EXPECT_NE(text.find("plugin.track.max_edits"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.track.min_confidence"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.track.window"), std::string::npos) << text;
}

TEST(ProcTrack, DropsRepeatsAndCountsThemByReason) {
  FakePluginContext ctx("track");
  auto now = std::chrono::steady_clock::now();
  ProcTrack track([&now] { return now; });
  track.configure(ctx);
  PlateEvent first = read("AB123CD", 1);
  EXPECT_TRUE(track.process(first).keep);
  for (int i = 2; i <= 5; ++i) {
    now += 1s;
    PlateEvent again = read("AB123CD", i);
    Verdict verdict = track.process(again);
    EXPECT_FALSE(verdict.keep);
    EXPECT_NE(verdict.why.find("ev-1"), std::string::npos) << verdict.why;
  }
  now += 20s;  // past the window, within the cooldown
  PlateEvent back = read("AB123CD", 6);
  EXPECT_FALSE(track.process(back).keep);
  const std::string metrics = ctx.metrics().renderPrometheus();
  EXPECT_NE(metrics.find("lpr_track_dropped_total{plugin=\"track\",reason=\"repeat\"} 4"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("lpr_track_dropped_total{plugin=\"track\",reason=\"cooldown\"} 1"),
            std::string::npos);
}

TEST(ProcTrack, ABetterReadGoesOnAsARefinementOfTheFirstEvent) {
  FakePluginContext ctx("track");
  auto now = std::chrono::steady_clock::now();
  ProcTrack track([&now] { return now; });
  track.configure(ctx);
  PlateEvent first = read("AB128CD", 1);
  first.confidence = 0.6;
  ASSERT_TRUE(track.process(first).keep);
  EXPECT_TRUE(first.updateOf.empty());
  now += 1s;
  PlateEvent better = read("AB123CD", 2);
  better.confidence = 0.9;
  EXPECT_TRUE(track.process(better).keep);
  EXPECT_EQ(better.updateOf, "ev-1");
  EXPECT_NE(
      ctx.metrics().renderPrometheus().find("lpr_track_refinements_total{plugin=\"track\"} 1"),
      std::string::npos);
}

}  // namespace
}  // namespace lpr::plugins::proc_track
