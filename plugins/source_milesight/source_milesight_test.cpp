#include "source_milesight.h"

#include <gtest/gtest.h>

#include "test_env.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_milesight {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::GoodPost;
using lpr::testing::WebhookRig;

const std::string kType = "source_milesight";

std::string load(const std::string& name) {
  return lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
}

GoodPost goodPost() {
  return {"/lpr/milesight", load("good_full.json"), "application/json", ClientAuth::Basic, "ms",
          "secret"};
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourceMilesight>(); }

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
  lpr::testing::expectResendStoredOnce(rig_, "ms", goodPost());
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

  EXPECT_EQ(post(load("good_away_no_image.json")).status, 200);
  EXPECT_EQ(rig_.ingest().stored().size(), 2u);
}

TEST_F(MilesightOverHttp, WrongAuthStoresNothing) {
  lpr::testing::expectWrongAuthRefused(rig_, "ms", goodPost());
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

TEST(MilesightConfig, SampleConfiguresCleanlyAndShowsTheDefaults) {
  lpr::testing::expectSampleConfiguresCleanly(
      PLUGIN_SAMPLE, "gate_ms", kType, make,
      {"path=/lpr/milesight ", "approach=in time_zone=+01:00"});
}

TEST(MilesightConfig, MistakesNameTheirKey) {
  const auto problems = lpr::testing::expectProblemsNameKeys("ms", kType, make,
                                                             {{"username", "ms"},
                                                              {"password", "x"},
                                                              {"approach", "towards"},
                                                              {"time_zone", "Europe/Roma"},
                                                              {"aproach", "in"}},
                                                             {"approach", "time_zone", "aproach"});
  EXPECT_EQ(problems.size(), 3u);
}

}  // namespace
}  // namespace lpr::plugins::source_milesight
