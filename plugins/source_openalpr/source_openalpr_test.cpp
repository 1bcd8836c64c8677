#include "source_openalpr.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "test_env.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_openalpr {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

std::string testdata(const std::string& name) {
  return lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourceOpenAlpr>(); }

// alprd cannot authenticate: the secret path is its credential.
class SourceOpenAlprHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& plugin = rig_.add("alpr", "source_openalpr", std::make_unique<SourceOpenAlpr>(),
                            {{"auth", "secret_path"}, {"secret", "k3y-0f-alprd-2024x"}});
    path_ = static_cast<SourceOpenAlpr&>(plugin).routePath();
  }
  WebhookRig rig_;
  std::string path_;
};

TEST_F(SourceOpenAlprHttp, RouteCarriesTheSecret) {
  EXPECT_EQ(path_, "/lpr/openalpr/k3y-0f-alprd-2024x");
}

TEST_F(SourceOpenAlprHttp, FrameIsStoredWithItsFields) {
  const auto answer = rig_.post(path_, testdata("alprd_results.json"));
  EXPECT_EQ(answer.status, 200) << answer.body;
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "alpr");
  EXPECT_EQ(e.sourceEventId, "site1-cam1-1718000000123#0");
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.914);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
}

TEST_F(SourceOpenAlprHttp, ResentFrameIsAcceptedButStoredOnce) {
  // alprd re-posts a frame only after a transport error: the same uuid comes again.
  lpr::testing::expectResendStoredOnce(
      rig_, "alpr",
      {path_, testdata("alprd_two_plates.json"), "application/json", ClientAuth::None, {}, {}});
  EXPECT_EQ(rig_.ingest().stored().size(), 2u);
}

TEST_F(SourceOpenAlprHttp, GroupWithCropIsSpooledAndPreviewIgnored) {
  EXPECT_EQ(rig_.post(path_, testdata("agent_group_preview.json")).status, 200);
  EXPECT_EQ(rig_.post(path_, testdata("agent_group_final.json")).status, 200);
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event.plateRaw, "AB123CD");
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_FALSE(stored[0].image.empty());
  EXPECT_EQ(rig_.counter("lpr_webhook_ignored_total", {{"plugin", "alpr"}}), 1u);
}

TEST_F(SourceOpenAlprHttp, WrongSecretIsRefusedAndNothingStored) {
  // Without the secret the path is not this route: the router has nothing there.
  const auto wrong = rig_.post("/lpr/openalpr/guess", testdata("alprd_results.json"));
  EXPECT_NE(wrong.status, 200);
  const auto bare = rig_.post("/lpr/openalpr", testdata("alprd_results.json"));
  EXPECT_NE(bare.status, 200);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(SourceOpenAlprHttp, HeartbeatIsCounted) {
  EXPECT_EQ(rig_.post(path_, testdata("agent_heartbeat.json")).status, 200);
  EXPECT_EQ(rig_.counter("lpr_webhook_heartbeats_total", {{"plugin", "alpr"}}), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(SourceOpenAlprHttp, UnknownDataTypeIs400) {
  const auto answer = rig_.post(path_, testdata("bad_unknown_type.json"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("data_type"), std::string::npos) << answer.body;
  EXPECT_EQ(
      rig_.counter("lpr_input_errors_total", {{"plugin", "alpr"}, {"kind", "unsupported_type"}}),
      1u);
}

TEST(SourceOpenAlprBasic, WrongPasswordIs401AndNothingStored) {
  WebhookRig rig;
  rig.add("agent", "source_openalpr", std::make_unique<SourceOpenAlpr>(),
          {{"username", "agent"}, {"password", "pw-2"}});
  lpr::testing::expectWrongAuthRefused(rig, "agent",
                                       {"/lpr/openalpr", testdata("agent_group_final.json"),
                                        "application/json", ClientAuth::Basic, "agent", "pw-2"});
  EXPECT_EQ(rig.post("/lpr/openalpr", testdata("agent_group_final.json"), "application/json",
                     ClientAuth::Basic, "agent", "pw-2")
                .status,
            200);
  EXPECT_EQ(rig.ingest().stored().size(), 1u);
}

TEST(SourceOpenAlprConfig, SampleConfiguresCleanly) {
  const auto sample = lpr::testing::expectSampleConfiguresCleanly(PLUGIN_SAMPLE, "alprd_gate",
                                                                  "source_openalpr", make, {},
                                                                  /*commentsAreDefaults=*/false);
  const auto& plugin = static_cast<const SourceOpenAlpr&>(*sample.plugin);
  const auto& options = static_cast<const OpenAlprAdapter&>(plugin.adapter()).options();
  EXPECT_TRUE(options.acceptFrames);
  EXPECT_FALSE(options.previewsAsReads);
}

TEST(SourceOpenAlprConfig, UnknownKeyAndBadValueAreNamed) {
  lpr::testing::expectProblemsNameKeys(
      "alpr", "source_openalpr", make,
      {{"auth", "none"}, {"previews", "sometimes"}, {"bogus_key", "1"}}, {"previews", "bogus_key"});
}

}  // namespace
}  // namespace lpr::plugins::source_openalpr
