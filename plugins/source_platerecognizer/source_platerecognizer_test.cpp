#include "source_platerecognizer.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "fake_plugin_context.h"
#include "test_env.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_platerecognizer {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

const std::string kPath = "/lpr/platerecognizer";

std::string testdata(const std::string& name) {
  return lpr::testing::readFile(std::string(PR_TESTDATA) + "/" + name);
}

class SourcePlateRecognizerHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.add("pr", "source_platerecognizer", std::make_unique<SourcePlateRecognizer>(),
             {{"username", "stream"}, {"password", "pw-1"}});
  }
  lpr::testing::HttpAnswer post(const std::string& body, const std::string& password = "pw-1",
                                const std::string& contentType = "application/json") {
    return rig_.post(kPath, body, contentType, ClientAuth::Basic, "stream", password);
  }
  WebhookRig rig_;
};

TEST_F(SourcePlateRecognizerHttp, StreamPostIsStoredWithItsFields) {
  const auto answer = post(testdata("stream_recognition.json"));
  EXPECT_EQ(answer.status, 200) << answer.body;
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "pr");
  EXPECT_EQ(e.plateRaw, "ab123cd");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.903);
  EXPECT_EQ(e.country, "IT");
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.attributes.at("camera_id"), "gate-north");
  EXPECT_EQ(e.accessPoint, 0);
}

TEST_F(SourcePlateRecognizerHttp, ResentPostIsAcceptedButStoredOnce) {
  const std::string body = testdata("snapshot_two_plates.json");
  EXPECT_EQ(post(body).status, 200);
  const auto again = post(body);
  EXPECT_EQ(again.status, 200) << again.body;  // Snapshot drops hooks that keep failing
  EXPECT_EQ(rig_.ingest().stored().size(), 2u);
  EXPECT_EQ(rig_.ingest().submissions(), 4u);
  EXPECT_EQ(rig_.counter("lpr_webhook_reads_total", {{"plugin", "pr"}, {"result", "duplicate"}}),
            2u);
}

TEST_F(SourcePlateRecognizerHttp, MultipartImageIsHandedToTheSpool) {
  std::string seed = testdata("stream_multipart_image.txt");
  const auto newline = seed.find('\n');
  const std::string contentType = seed.substr(std::string("Content-Type: ").size(),
                                              newline - std::string("Content-Type: ").size());
  const auto answer = post(seed.substr(newline + 1), "pw-1", contentType);
  EXPECT_EQ(answer.status, 200) << answer.body;
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_FALSE(stored[0].image.empty());
}

TEST_F(SourcePlateRecognizerHttp, WrongPasswordIs401AndNothingStored) {
  const auto answer = post(testdata("stream_recognition.json"), "wrong");
  EXPECT_EQ(answer.status, 401);
  const auto anonymous = rig_.post(kPath, testdata("stream_recognition.json"));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "pr"}, {"kind", "auth"}}), 1u);
}

TEST_F(SourcePlateRecognizerHttp, MalformedJsonIs400NamingTheKind) {
  const auto answer = post(testdata("bad_missing_plate.json"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("data.results[0].plate"), std::string::npos) << answer.body;
  EXPECT_EQ(post("{not json").status, 400);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "pr"}, {"kind", "malformed_json"}}),
            1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST(SourcePlateRecognizerConfig, SampleConfiguresCleanly) {
  lpr::testing::FakePluginContext ctx("lpr_stream");
  ctx.loadProperties(PR_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.lpr_stream.type", ""), "source_platerecognizer");
  SourcePlateRecognizer plugin;
  plugin.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(plugin.routePath(), kPath);
}

TEST(SourcePlateRecognizerConfig, UnknownKeyIsNamed) {
  WebhookRig rig;
  SourcePlateRecognizer plugin;
  const auto problems = rig.configureProblems("pr", "source_platerecognizer", plugin,
                                              {{"auth", "none"}, {"bogus_key", "1"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("plugin.pr.bogus_key"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace lpr::plugins::source_platerecognizer
