#include "source_hikvision_anpr.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "webhook_rig.h"

namespace lpr::plugins::source_hikvision_anpr {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

const std::string kType = "source_hikvision_anpr";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string load(const std::string& name) {
  return readFile(std::string(SOURCE_HIKVISION_ANPR_TESTDATA) + "/" + name);
}

const std::string kMultipart = "multipart/form-data; boundary=boundary";

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
  const auto answer = post(body);
  EXPECT_EQ(answer.status, 200) << answer.body;
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

  // The same alert again, then flagged as a buffered re-send: one event, and a 200 each time
  // so that the camera stops resending.
  EXPECT_EQ(post(body).status, 200);
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
  const std::string body = load("good_multipart.multipart");
  EXPECT_EQ(post(body, kMultipart, ClientAuth::Basic, "wrong").status, 401);
  EXPECT_EQ(post(body, kMultipart, ClientAuth::None).status, 401);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  EXPECT_EQ(errors("auth"), 1u);
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

// The keys of plugin.<id>. in a properties text, for the rig.
std::map<std::string, std::string> pluginKeys(const std::string& text, const std::string& id) {
  std::istringstream in(text);
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
      new Poco::Util::PropertyFileConfiguration(in));
  Poco::Util::AbstractConfiguration::Keys keys;
  file->keys("plugin." + id, keys);
  std::map<std::string, std::string> out;
  for (const auto& key : keys) {
    if (key != "type") out[key] = file->getRawString("plugin." + id + "." + key);
  }
  return out;
}

std::string configureDescribe(const std::string& text, std::vector<std::string>& problems) {
  WebhookRig rig;
  SourceHikvisionAnpr plugin;
  problems = rig.configureProblems("gate_hik", kType, plugin, pluginKeys(text, "gate_hik"));
  std::ostringstream out;
  plugin.describe(out);
  return out.str();
}

TEST(HikvisionConfig, SampleConfiguresCleanlyAndShowsTheDefaults) {
  ::setenv("LPR_HIK_GATE_PASSWORD", "from-env", 1);
  const std::string sample = readFile(SOURCE_HIKVISION_ANPR_SAMPLE);
  ASSERT_FALSE(sample.empty());
  std::vector<std::string> problems;
  const std::string described = configureDescribe(sample, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const std::string uncommented =
      std::regex_replace(sample, std::regex("(^|\n)# plugin"), "$1plugin");
  std::vector<std::string> explicitProblems;
  EXPECT_EQ(configureDescribe(uncommented, explicitProblems), described);
  EXPECT_TRUE(explicitProblems.empty()) << explicitProblems.front();
  EXPECT_NE(described.find("path=/lpr/hikvision"), std::string::npos) << described;
  EXPECT_NE(described.find("forward=in time_zone=UTC"), std::string::npos) << described;
  EXPECT_EQ(described.find("from-env"), std::string::npos);
}

TEST(HikvisionConfig, MistakesNameTheirKey) {
  WebhookRig rig;
  SourceHikvisionAnpr plugin;
  const auto problems = rig.configureProblems("hik", kType, plugin,
                                              {{"username", "cam"},
                                               {"password", "x"},
                                               {"forward", "left"},
                                               {"time_zone", "Mars/Base"},
                                               {"fowrard", "in"}});
  std::string all;
  for (const auto& line : problems) all += line + "\n";
  EXPECT_NE(all.find("forward"), std::string::npos) << all;
  EXPECT_NE(all.find("time_zone"), std::string::npos) << all;
  EXPECT_NE(all.find("fowrard"), std::string::npos) << all;
  EXPECT_EQ(problems.size(), 3u) << all;
}

}  // namespace
}  // namespace lpr::plugins::source_hikvision_anpr
