#include "source_hikvision_anpr.h"

#include <gtest/gtest.h>

#include "test_env.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_hikvision_anpr {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::GoodPost;
using lpr::testing::WebhookRig;

const std::string kType = "source_hikvision_anpr";

std::string load(const std::string& name) {
  return lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
}

const std::string kMultipart = "multipart/form-data; boundary=boundary";

GoodPost goodMultipart() {
  return {"/lpr/hikvision", load("good_multipart.multipart"), kMultipart, ClientAuth::Basic, "cam",
          "secret"};
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourceHikvisionAnpr>(); }

class HikvisionOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.add("hik", kType, std::make_unique<SourceHikvisionAnpr>(),
             {{"username", "cam"}, {"password", "secret"}, {"forward", "out"}});
  }
  lpr::testing::HttpAnswer post(const std::string& body, const std::string& type = kMultipart,
                                ClientAuth auth = ClientAuth::Basic,
                                const std::string& password = "secret") {
    return rig_.post("/lpr/hikvision", body, type, auth, "cam", password);
  }
  std::uint64_t errors(const std::string& kind) {
    return rig_.counter("lpr_input_errors_total", {{"plugin", "hik"}, {"kind", kind}});
  }
  WebhookRig rig_;
};

TEST_F(HikvisionOverHttp, MultipartAlertIsStoredOnceWithItsPicture) {
  const std::string body = load("good_multipart.multipart");
  lpr::testing::expectResendStoredOnce(rig_, "hik", goodMultipart());
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "hik");
  EXPECT_EQ(e.sourceEventId, "20240610081320000-c056e3000001-0001");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.91);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.000Z");
  EXPECT_EQ(e.direction, Direction::Out);  // forward = out
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_NE(stored[0].image.find("plate-crop"), std::string::npos);

  // Flagged as a buffered re-send: still one event, and a 200 so that the camera stops resending.
  std::string retransmission = body;
  const std::string flag = "<isDataRetransmission>false";
  retransmission.replace(retransmission.find(flag), flag.size(), "<isDataRetransmission>true");
  EXPECT_EQ(post(retransmission).status, 200);
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 3u);
  EXPECT_EQ(rig_.counter("lpr_webhook_reads_total", {{"plugin", "hik"}, {"result", "duplicate"}}),
            2u);
}

TEST_F(HikvisionOverHttp, BareXmlIsAccepted) {
  const auto answer = post(load("good_bare_no_namespace.xml"), "application/xml");
  EXPECT_EQ(answer.status, 200) << answer.body;
  ASSERT_EQ(rig_.ingest().stored().size(), 1u);
  EXPECT_EQ(rig_.ingest().stored()[0].event.plate, "KR 7781");
}

TEST_F(HikvisionOverHttp, WrongOrMissingAuthStoresNothing) {
  lpr::testing::expectWrongAuthRefused(rig_, "hik", goodMultipart());
}

TEST_F(HikvisionOverHttp, BadPayloadIsCountedAndAnsweredWithTheField) {
  const auto answer = post(load("bad_confidence.xml"), "application/xml");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("ANPR/confidenceLevel"), std::string::npos) << answer.body;
  EXPECT_EQ(post(load("bad_truncated.multipart")).status, 400);
  EXPECT_EQ(errors("bad_value"), 1u);
  EXPECT_EQ(errors("malformed_multipart"), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(HikvisionOverHttp, KeepAliveCountsAsHeartbeat) {
  EXPECT_EQ(post(load("heartbeat_videoloss.xml"), "application/xml").status, 200);
  EXPECT_EQ(post(load("ignored_other_event.xml"), "text/xml").status, 200);
  EXPECT_EQ(rig_.counter("lpr_webhook_heartbeats_total", {{"plugin", "hik"}}), 1u);
  EXPECT_EQ(rig_.counter("lpr_webhook_ignored_total", {{"plugin", "hik"}}), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST(HikvisionOverHttpDigest, DigestAuthWorks) {
  WebhookRig rig;
  rig.add("hik", kType, std::make_unique<SourceHikvisionAnpr>(),
          {{"auth", "digest"}, {"username", "cam"}, {"password", "secret"}});
  const auto answer = rig.post("/lpr/hikvision", load("good_multipart.multipart"), kMultipart,
                               ClientAuth::Digest, "cam", "secret");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(rig.ingest().stored().size(), 1u);
}

TEST(HikvisionConfig, SampleConfiguresCleanlyAndShowsTheDefaults) {
  lpr::testing::expectSampleConfiguresCleanly(PLUGIN_SAMPLE, "gate_hik", kType, make,
                                              {"path=/lpr/hikvision", "forward=in time_zone=UTC"});
}

TEST(HikvisionConfig, MistakesNameTheirKey) {
  const auto problems = lpr::testing::expectProblemsNameKeys("hik", kType, make,
                                                             {{"username", "cam"},
                                                              {"password", "x"},
                                                              {"forward", "left"},
                                                              {"time_zone", "Mars/Base"},
                                                              {"fowrard", "in"}},
                                                             {"forward", "time_zone", "fowrard"});
  EXPECT_EQ(problems.size(), 3u);
}

}  // namespace
}  // namespace lpr::plugins::source_hikvision_anpr
