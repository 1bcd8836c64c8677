#include "source_dahua_its.h"

#include <gtest/gtest.h>

#include "test_env.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_dahua_its {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::GoodPost;
using lpr::testing::WebhookRig;

const std::string kType = "source_dahua_its";
const std::string kTollgate = "/NotificationInfo/TollgateInfo";
const std::string kResultTrue = R"({"Result":true})";

std::string load(const std::string& name) {
  return lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
}

GoodPost goodTollgate() {
  return {kTollgate, load("good_tollgate.json"), "application/json", ClientAuth::Digest, "itc",
          "secret"};
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourceDahuaIts>(); }

class DahuaOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.add("itc", kType, std::make_unique<SourceDahuaIts>(),
             {{"username", "itc"}, {"password", "secret"}, {"time_zone", "+02:00"}});
  }
  lpr::testing::HttpAnswer post(const std::string& path, const std::string& body,
                                ClientAuth auth = ClientAuth::Digest,
                                const std::string& password = "secret") {
    return rig_.post(path, body, "application/json", auth, "itc", password);
  }
  WebhookRig rig_;
};

TEST_F(DahuaOverHttp, TollgateReadIsStoredOnceAndAnsweredResultTrue) {
  // The camera resends until it reads Result:true: every answer says so, the resend is not stored.
  const auto answer = lpr::testing::expectResendStoredOnce(rig_, "itc", goodTollgate());
  EXPECT_EQ(answer.body, kResultTrue);
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "itc");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.9);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_NE(stored[0].image.find("dahua-scene"), std::string::npos);
}

TEST_F(DahuaOverHttp, KeepAliveOnItsOwnPathIsAHeartbeat) {
  const auto answer = post("/NotificationInfo/KeepAlive", load("keepalive.json"));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, kResultTrue);
  EXPECT_EQ(rig_.counter("lpr_webhook_heartbeats_total", {{"plugin", "itc"}}), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  // Only paths below /NotificationInfo/ are taken.
  EXPECT_EQ(post("/NotificationInfoX", "{}").status, 404);
}

TEST_F(DahuaOverHttp, ARefusedPostIsAnsweredResultFalseNamingTheField) {
  const auto answer = post(kTollgate, load("bad_missing_plate.json"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body.rfind(R"({"Result":false,"error":{)", 0), 0u) << answer.body;
  EXPECT_NE(answer.body.find("Picture.Plate.PlateNumber"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.body.find("success"), std::string::npos) << answer.body;
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(DahuaOverHttp, WrongAuthStoresNothing) {
  lpr::testing::expectWrongAuthRefused(rig_, "itc", goodTollgate());
  const std::string body = load("good_tollgate.json");
  EXPECT_EQ(post(kTollgate, body, ClientAuth::Basic).status, 401);  // digest only by default
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(DahuaOverHttp, MalformedBodyIsCounted) {
  const auto answer = post(kTollgate, load("bad_malformed.json"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "itc"}, {"kind", "malformed_json"}}),
            1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST(DahuaConfig, SampleConfiguresCleanlyAndShowsTheDefaults) {
  lpr::testing::expectSampleConfiguresCleanly(
      PLUGIN_SAMPLE, "gate_itc", kType, make,
      {"path=/NotificationInfo ", "auth=digest", "approach=in time_zone=+01:00"});
}

TEST(DahuaConfig, MistakesNameTheirKey) {
  const auto problems = lpr::testing::expectProblemsNameKeys("itc", kType, make,
                                                             {{"username", "itc"},
                                                              {"password", "x"},
                                                              {"approach", "sideways"},
                                                              {"time_zone", "Europe/Praha"},
                                                              {"timezone", "+01:00"}},
                                                             {"approach", "time_zone", "timezone"});
  EXPECT_EQ(problems.size(), 3u);
}

}  // namespace
}  // namespace lpr::plugins::source_dahua_its
