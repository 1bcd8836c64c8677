#include "source_platerecognizer.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "test_env.h"
#include "webhook/seed_request.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_platerecognizer {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

const std::string kPath = "/lpr/platerecognizer";

std::string testdata(const std::string& name) {
  return lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
}

lpr::testing::GoodPost goodPost(const std::string& file) {
  return {kPath, testdata(file), "application/json", ClientAuth::Basic, "stream", "pw-1"};
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourcePlateRecognizer>(); }

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
  // Snapshot drops hooks that keep failing, so the resend must be a success too.
  lpr::testing::expectResendStoredOnce(rig_, "pr", goodPost("snapshot_two_plates.json"));
  EXPECT_EQ(rig_.ingest().stored().size(), 2u);
}

TEST_F(SourcePlateRecognizerHttp, MultipartImageIsHandedToTheSpool) {
  const WebhookRequest seed = requestFromSeed(testdata("stream_multipart_image.txt"));
  const auto answer = post(seed.body, "pw-1", seed.contentType);
  EXPECT_EQ(answer.status, 200) << answer.body;
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_FALSE(stored[0].image.empty());
}

TEST_F(SourcePlateRecognizerHttp, WrongPasswordIs401AndNothingStored) {
  lpr::testing::expectWrongAuthRefused(rig_, "pr", goodPost("stream_recognition.json"));
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
  const auto sample = lpr::testing::expectSampleConfiguresCleanly(
      PLUGIN_SAMPLE, "lpr_stream", "source_platerecognizer", make, {},
      /*commentsAreDefaults=*/false);
  EXPECT_EQ(static_cast<const SourcePlateRecognizer&>(*sample.plugin).routePath(), kPath);
}

TEST(SourcePlateRecognizerConfig, UnknownKeyIsNamed) {
  const auto problems = lpr::testing::expectProblemsNameKeys(
      "pr", "source_platerecognizer", make, {{"auth", "none"}, {"bogus_key", "1"}}, {"bogus_key"});
  EXPECT_EQ(problems.size(), 1u);
}

}  // namespace
}  // namespace lpr::plugins::source_platerecognizer
