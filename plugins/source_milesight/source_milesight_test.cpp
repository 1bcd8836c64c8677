#include "source_milesight.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "webhook_rig.h"

namespace lpr::plugins::source_milesight {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

const std::string kType = "source_milesight";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string load(const std::string& name) {
  return readFile(std::string(SOURCE_MILESIGHT_TESTDATA) + "/" + name);
}

class MilesightOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.add("ms", kType, std::make_unique<SourceMilesight>(),
             {{"username", "ms"}, {"password", "secret"}, {"time_zone", "+02:00"}});
  }
  lpr::testing::HttpAnswer post(const std::string& body, ClientAuth auth = ClientAuth::Basic,
                                const std::string& password = "secret") {
    return rig_.post("/lpr/milesight", body, "application/json", auth, "ms", password);
  }
  WebhookRig rig_;
};

TEST_F(MilesightOverHttp, PostIsStoredOnce) {
  const std::string body = load("good_full.json");
  const auto answer = post(body);
  EXPECT_EQ(answer.status, 200) << answer.body;
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "ms");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.91);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(e.country, "ITA");
  EXPECT_EQ(stored[0].extension, "jpg");

  EXPECT_EQ(post(body).status, 200);  // a resend: success again, no second event
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 2u);
  EXPECT_EQ(post(load("good_away_no_image.json")).status, 200);
  EXPECT_EQ(rig_.ingest().stored().size(), 2u);
}

TEST_F(MilesightOverHttp, WrongAuthStoresNothing) {
  EXPECT_EQ(post(load("good_full.json"), ClientAuth::Basic, "wrong").status, 401);
  EXPECT_EQ(post(load("good_full.json"), ClientAuth::None).status, 401);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST_F(MilesightOverHttp, BadPostIsCountedByKind) {
  const auto answer = post(load("bad_confidence.json"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("confidence"), std::string::npos) << answer.body;
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "ms"}, {"kind", "bad_value"}}), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

TEST(MilesightSecretPath, SecretPathWithoutCredentials) {
  WebhookRig rig;
  rig.add("ms", kType, std::make_unique<SourceMilesight>(),
          {{"auth", "secret_path"}, {"secret", "k3JmQ9xT2vPz8LwR"}});
  EXPECT_EQ(rig.post("/lpr/milesight/k3JmQ9xT2vPz8LwR", load("good_full.json")).status, 200);
  EXPECT_EQ(rig.post("/lpr/milesight", load("good_full.json")).status, 404);
  EXPECT_EQ(rig.ingest().stored().size(), 1u);
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
  SourceMilesight plugin;
  problems = rig.configureProblems("gate_ms", kType, plugin, pluginKeys(text, "gate_ms"));
  std::ostringstream out;
  plugin.describe(out);
  return out.str();
}

TEST(MilesightConfig, SampleConfiguresCleanlyAndShowsTheDefaults) {
  ::setenv("LPR_MILESIGHT_GATE_PASSWORD", "from-env", 1);
  const std::string sample = readFile(SOURCE_MILESIGHT_SAMPLE);
  ASSERT_FALSE(sample.empty());
  std::vector<std::string> problems;
  const std::string described = configureDescribe(sample, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const std::string uncommented =
      std::regex_replace(sample, std::regex("(^|\n)# plugin"), "$1plugin");
  std::vector<std::string> explicitProblems;
  EXPECT_EQ(configureDescribe(uncommented, explicitProblems), described);
  EXPECT_TRUE(explicitProblems.empty()) << explicitProblems.front();
  EXPECT_NE(described.find("path=/lpr/milesight "), std::string::npos) << described;
  EXPECT_NE(described.find("approach=in time_zone=+01:00"), std::string::npos) << described;
  EXPECT_EQ(described.find("from-env"), std::string::npos);
}

TEST(MilesightConfig, MistakesNameTheirKey) {
  WebhookRig rig;
  SourceMilesight plugin;
  const auto problems = rig.configureProblems("ms", kType, plugin,
                                              {{"username", "ms"},
                                               {"password", "x"},
                                               {"approach", "towards"},
                                               {"time_zone", "Europe/Rome"},
                                               {"aproach", "in"}});
  std::string all;
  for (const auto& line : problems) all += line + "\n";
  EXPECT_NE(all.find("approach"), std::string::npos) << all;
  EXPECT_NE(all.find("time_zone"), std::string::npos) << all;
  EXPECT_NE(all.find("aproach"), std::string::npos) << all;
  EXPECT_EQ(problems.size(), 3u) << all;
}

}  // namespace
}  // namespace lpr::plugins::source_milesight
