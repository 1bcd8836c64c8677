#include "source_vaxalpr.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "seed_request.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_vaxalpr {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::WebhookRig;

const std::string kPath = "/lpr/vaxtor";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class VaxtorOverHttp : public ::testing::Test {
 protected:
  Plugin& add(std::map<std::string, std::string> keys = {}) {
    keys.emplace("username", "vaxcam");
    keys.emplace("password", "s3cret");
    return rig_.add("vax_gate", "source_vaxalpr", std::make_unique<SourceVaxalpr>(), keys);
  }
  lpr::testing::HttpAnswer post(const std::string& file, const std::string& password = "s3cret") {
    const WebhookRequest seed =
        requestFromSeed(readFile(std::string(SOURCE_VAXALPR_TESTDATA) + "/" + file));
    return rig_.post(kPath, seed.body, seed.contentType, ClientAuth::Basic, "vaxcam", password);
  }
  WebhookRig rig_;
};

TEST(VaxtorDescriptor, IsTheSourceNamedLikeItsFolder) {
  EXPECT_EQ(kDescriptor.name, "source_vaxalpr");
  EXPECT_EQ(kDescriptor.kind, PluginKind::Source);
  EXPECT_NE(dynamic_cast<SourceVaxalpr*>(kDescriptor.create().get()), nullptr);
}

TEST_F(VaxtorOverHttp, ReportIsStoredWithItsFields) {
  add();
  const auto answer = post("good_full.json");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, R"({"success":true})");
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "vax_gate");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_EQ(e.country, "ITA");
  EXPECT_DOUBLE_EQ(e.confidence.value_or(-1), 0.92);
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.attributes.at("camera"), "gate-north");
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_EQ(stored[0].image.substr(0, 3), "\xff\xd8\xff");
}

TEST_F(VaxtorOverHttp, TowardsAndAccessPointFromDirection) {
  add({{"towards", "out"}, {"access_point", "direction"}});
  EXPECT_EQ(post("good_full.json").status, 200);         // 1 = towards = out here
  EXPECT_EQ(post("good_offset_date.json").status, 200);  // 2 = away = in here
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].event.direction, Direction::Out);
  EXPECT_EQ(stored[0].event.accessPoint, 1);
  EXPECT_EQ(stored[1].event.direction, Direction::In);
  EXPECT_EQ(stored[1].event.accessPoint, 0);
}

TEST_F(VaxtorOverHttp, AReSentReportIsAnsweredButNotStoredTwice) {
  add();
  EXPECT_EQ(post("good_no_images.json").status, 200);
  const auto again = post("good_no_images.json");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, R"({"success":true})");
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
  EXPECT_EQ(
      rig_.counter("lpr_webhook_reads_total", {{"plugin", "vax_gate"}, {"result", "duplicate"}}),
      1u);
}

TEST_F(VaxtorOverHttp, WrongAuthIsRefusedAndNothingStored) {
  add();
  EXPECT_EQ(post("good_full.json", "wrong").status, 401);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "vax_gate"}, {"kind", "auth"}}), 1u);
}

TEST_F(VaxtorOverHttp, SecretPathForCamerasWithoutHttpAuth) {
  rig_.add("vax_secret", "source_vaxalpr", std::make_unique<SourceVaxalpr>(),
           {{"auth", "secret_path"}, {"secret", "Zq4-8kV_p2Lw9sXe"}});
  const WebhookRequest seed =
      requestFromSeed(readFile(std::string(SOURCE_VAXALPR_TESTDATA) + "/good_full.json"));
  EXPECT_EQ(rig_.post(kPath + "/Zq4-8kV_p2Lw9sXe", seed.body).status, 200);
  EXPECT_NE(rig_.post(kPath + "/wrong-secret-0000", seed.body).status, 200);
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
}

TEST_F(VaxtorOverHttp, BadReportIs400NamingTheField) {
  add();
  const auto answer = post("bad_direction.json");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("\"direction\""), std::string::npos) << answer.body;
  EXPECT_EQ(post("bad_xml.xml").status, 400);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total", {{"plugin", "vax_gate"}, {"kind", "bad_value"}}),
            1u);
  EXPECT_EQ(rig_.counter("lpr_input_errors_total",
                         {{"plugin", "vax_gate"}, {"kind", "unsupported_type"}}),
            1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
}

std::map<std::string, std::string> sampleKeys(const std::string& id, bool uncomment) {
  std::string text = readFile(SOURCE_VAXALPR_SAMPLE);
  if (uncomment) text = std::regex_replace(text, std::regex("(^|\n)# plugin"), "$1plugin");
  std::map<std::string, std::string> keys;
  std::istringstream lines(text);
  const std::string prefix = "plugin." + id + ".";
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    const auto eq = line.find('=');
    keys[trim(line.substr(prefix.size(), eq - prefix.size()))] =
        eq == std::string::npos ? "" : trim(line.substr(eq + 1));
  }
  keys.erase("type");
  return keys;
}

TEST(VaxtorConfig, SampleConfiguresCleanlyAndItsCommentsAreTheDefaults) {
  WebhookRig rig;
  SourceVaxalpr plain, uncommented;
  const auto keys = sampleKeys("vax_gate", false);
  ASSERT_FALSE(keys.empty());
  auto problems = rig.configureProblems("vax_gate", "source_vaxalpr", plain, keys);
  EXPECT_TRUE(problems.empty()) << problems.front();
  problems = rig.configureProblems("vax_gate2", "source_vaxalpr", uncommented,
                                   sampleKeys("vax_gate", true));
  EXPECT_TRUE(problems.empty()) << problems.front();
  std::ostringstream a, b;
  plain.describe(a);
  uncommented.describe(b);
  EXPECT_EQ(a.str(), b.str());
  for (const char* part :
       {"path=/lpr/vaxtor", "auth=basic", "towards=in", "time_zone=UTC", "image=plate"}) {
    EXPECT_NE(a.str().find(part), std::string::npos) << part << " in " << a.str();
  }
  EXPECT_EQ(a.str().find(keys.at("password")), std::string::npos) << "no secret in describe()";
}

TEST(VaxtorConfig, MistakesNameTheirKey) {
  WebhookRig rig;
  SourceVaxalpr plugin;
  const auto problems = rig.configureProblems("vax_gate", "source_vaxalpr", plugin,
                                              {{"username", "cam"},
                                               {"password", "pw"},
                                               {"towards", "left"},
                                               {"time_zone", "Europe/Rome"},
                                               {"image", "both"},
                                               {"toward", "in"}});
  std::string text;
  for (const auto& line : problems) text += line + "\n";
  for (const char* key : {"plugin.vax_gate.towards", "plugin.vax_gate.time_zone",
                          "plugin.vax_gate.image", "plugin.vax_gate.toward"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << " in " << text;
  }
}

}  // namespace
}  // namespace lpr::plugins::source_vaxalpr
