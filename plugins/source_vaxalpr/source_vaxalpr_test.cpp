#include "source_vaxalpr.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tcp_camera.h"
#include "test_env.h"
#include "webhook/seed_request.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_vaxalpr {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::GoodPost;
using lpr::testing::WebhookRig;

const std::string kPath = "/lpr/vaxtor";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

GoodPost goodPost(const std::string& file) {
  const WebhookRequest seed = requestFromSeed(readFile(std::string(PLUGIN_TESTDATA) + "/" + file));
  return {kPath, seed.body, seed.contentType, ClientAuth::Basic, "vaxcam", "s3cret"};
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourceVaxalpr>(); }

class VaxtorOverHttp : public ::testing::Test {
 protected:
  Plugin& add(std::map<std::string, std::string> keys = {}) {
    keys.emplace("username", "vaxcam");
    keys.emplace("password", "s3cret");
    return rig_.add("vax_gate", "source_vaxalpr", std::make_unique<SourceVaxalpr>(), keys);
  }
  lpr::testing::HttpAnswer post(const std::string& file, const std::string& password = "s3cret") {
    const WebhookRequest seed =
        requestFromSeed(readFile(std::string(PLUGIN_TESTDATA) + "/" + file));
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

TEST_F(VaxtorOverHttp, TcpOutputIsConvertedLikeAPost) {
  Plugin& plugin = add({{"allow_from", "127.0.0.1"}, {"tcp_listen", "127.0.0.1:0"}});
  lpr::testing::TcpCamera camera(dynamic_cast<WebhookSource&>(plugin).tcpPort());
  // One report per line, as TCP collectors receive them.
  const std::string dir = std::string(PLUGIN_TESTDATA) + "/";
  camera.send(readFile(dir + "good_full.json") + "\n" + readFile(dir + "bad_direction.json") +
              "\n" + readFile(dir + "good_offset_date.json") + "\n");
  ASSERT_TRUE(lpr::testing::waitFor([&] { return rig_.ingest().stored().size() == 2; },
                                    std::chrono::seconds(10)));
  const auto stored = rig_.ingest().stored();
  EXPECT_EQ(stored[0].event.plate, "AB123CD");
  EXPECT_EQ(formatUtc(stored[0].event.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(stored[0].image.substr(0, 3), "\xff\xd8\xff");
  EXPECT_TRUE(lpr::testing::waitFor(
      [&] {
        return rig_.counter("lpr_webhook_tcp_objects_total",
                            {{"plugin", "vax_gate"}, {"result", "refused"}}) == 1;
      },
      std::chrono::seconds(10)));
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
  const auto answer =
      lpr::testing::expectResendStoredOnce(rig_, "vax_gate", goodPost("good_no_images.json"));
  EXPECT_EQ(answer.body, R"({"success":true})");
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
}

TEST_F(VaxtorOverHttp, WrongAuthIsRefusedAndNothingStored) {
  add();
  lpr::testing::expectWrongAuthRefused(rig_, "vax_gate", goodPost("good_full.json"));
}

TEST_F(VaxtorOverHttp, SecretPathForCamerasWithoutHttpAuth) {
  rig_.add("vax_secret", "source_vaxalpr", std::make_unique<SourceVaxalpr>(),
           {{"auth", "secret_path"}, {"secret", "Zq4-8kV_p2Lw9sXe"}});
  const std::string body = goodPost("good_full.json").body;
  EXPECT_EQ(rig_.post(kPath + "/Zq4-8kV_p2Lw9sXe", body).status, 200);
  EXPECT_NE(rig_.post(kPath + "/wrong-secret-0000", body).status, 200);
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

TEST(VaxtorConfig, SampleConfiguresCleanlyAndItsCommentsAreTheDefaults) {
  lpr::testing::expectSampleConfiguresCleanly(
      PLUGIN_SAMPLE, "vax_gate", "source_vaxalpr", make,
      {"path=/lpr/vaxtor", "auth=basic", "towards=in", "time_zone=UTC", "image=plate"});
}

TEST(VaxtorConfig, MistakesNameTheirKey) {
  lpr::testing::expectProblemsNameKeys("vax_gate", "source_vaxalpr", make,
                                       {{"username", "cam"},
                                        {"password", "pw"},
                                        {"towards", "left"},
                                        {"time_zone", "Rome"},
                                        {"image", "both"},
                                        {"toward", "in"}},
                                       {"towards", "time_zone", "image", "toward"});
}

}  // namespace
}  // namespace lpr::plugins::source_vaxalpr
