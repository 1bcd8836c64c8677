#include "source_dahua_its.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "webhook_rig.h"

namespace lpr::plugins::source_dahua_its {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

const std::string kType = "source_dahua_its";
const std::string kTollgate = "/NotificationInfo/TollgateInfo";
const std::string kResultTrue = R"({"Result":true})";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string load(const std::string& name) {
  return readFile(std::string(SOURCE_DAHUA_ITS_TESTDATA) + "/" + name);
}

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
  const std::string body = load("good_tollgate.json");
  const auto answer = post(kTollgate, body);
  EXPECT_EQ(answer.status, 200);
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

  // The camera resends until it reads Result:true: the resend is answered so, and not stored.
  const auto again = post(kTollgate, body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, kResultTrue);
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 2u);
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

TEST_F(DahuaOverHttp, WrongAuthStoresNothing) {
  const std::string body = load("good_tollgate.json");
  EXPECT_EQ(post(kTollgate, body, ClientAuth::Digest, "wrong").status, 401);
  EXPECT_EQ(post(kTollgate, body, ClientAuth::Basic).status, 401);  // digest only by default
  EXPECT_EQ(post(kTollgate, body, ClientAuth::None).status, 401);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(DahuaOverHttp, MalformedBodyIsCounted) {
  const auto answer = post(kTollgate, load("bad_malformed.json"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "itc"}, {"kind", "malformed_json"}}),
            1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

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
  SourceDahuaIts plugin;
  problems = rig.configureProblems("gate_itc", kType, plugin, pluginKeys(text, "gate_itc"));
  std::ostringstream out;
  plugin.describe(out);
  return out.str();
}

TEST(DahuaConfig, SampleConfiguresCleanlyAndShowsTheDefaults) {
  ::setenv("LPR_DAHUA_GATE_PASSWORD", "from-env", 1);
  const std::string sample = readFile(SOURCE_DAHUA_ITS_SAMPLE);
  ASSERT_FALSE(sample.empty());
  std::vector<std::string> problems;
  const std::string described = configureDescribe(sample, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const std::string uncommented =
      std::regex_replace(sample, std::regex("(^|\n)# plugin"), "$1plugin");
  std::vector<std::string> explicitProblems;
  EXPECT_EQ(configureDescribe(uncommented, explicitProblems), described);
  EXPECT_TRUE(explicitProblems.empty()) << explicitProblems.front();
  EXPECT_NE(described.find("path=/NotificationInfo "), std::string::npos) << described;
  EXPECT_NE(described.find("auth=digest"), std::string::npos) << described;
  EXPECT_NE(described.find("approach=in time_zone=+01:00"), std::string::npos) << described;
  EXPECT_EQ(described.find("from-env"), std::string::npos);
}

TEST(DahuaConfig, MistakesNameTheirKey) {
  WebhookRig rig;
  SourceDahuaIts plugin;
  const auto problems = rig.configureProblems("itc", kType, plugin,
                                              {{"username", "itc"},
                                               {"password", "x"},
                                               {"approach", "sideways"},
                                               {"time_zone", "CET"},
                                               {"timezone", "+01:00"}});
  std::string all;
  for (const auto& line : problems) all += line + "\n";
  EXPECT_NE(all.find("approach"), std::string::npos) << all;
  EXPECT_NE(all.find("time_zone"), std::string::npos) << all;
  EXPECT_NE(all.find("timezone"), std::string::npos) << all;
  EXPECT_EQ(problems.size(), 3u) << all;
}

}  // namespace
}  // namespace lpr::plugins::source_dahua_its
