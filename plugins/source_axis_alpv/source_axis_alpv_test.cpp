#include "source_axis_alpv.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "fake_plugin_context.h"
#include "proc_track.h"
#include "tcp_camera.h"
#include "test_env.h"
#include "webhook/seed_request.h"
#include "webhook_adapter_checks.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_axis_alpv {
namespace {

using lpr::testing::ClientAuth;
using lpr::testing::GoodPost;
using lpr::testing::WebhookRig;

const std::string kPath = "/lpr/axis";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string testdata(const std::string& name) {
  return readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
}

GoodPost goodPost(const std::string& file) {
  const WebhookRequest seed = requestFromSeed(testdata(file));
  return {kPath, seed.body, seed.contentType, ClientAuth::Basic, "axiscam", "s3cret"};
}

std::unique_ptr<Plugin> make() { return std::make_unique<SourceAxisAlpv>(); }

class AxisAlpvOverHttp : public ::testing::Test {
 protected:
  Plugin& add(std::map<std::string, std::string> keys = {}) {
    keys.emplace("username", "axiscam");
    keys.emplace("password", "s3cret");
    return rig_.add("axis_gate", "source_axis_alpv", std::make_unique<SourceAxisAlpv>(), keys);
  }
  lpr::testing::HttpAnswer post(const std::string& file, const std::string& password = "s3cret") {
    const WebhookRequest seed = requestFromSeed(testdata(file));
    return rig_.post(kPath, seed.body, seed.contentType, ClientAuth::Basic, "axiscam", password);
  }
  std::uint64_t errors(const std::string& kind) {
    return rig_.counter("lpr_input_errors_total", {{"plugin", "axis_gate"}, {"kind", kind}});
  }
  WebhookRig rig_;
};

TEST(AxisAlpvDescriptor, IsTheSourceNamedLikeItsFolder) {
  EXPECT_EQ(kDescriptor.name, "source_axis_alpv");
  EXPECT_EQ(kDescriptor.kind, PluginKind::Source);
  EXPECT_NE(dynamic_cast<SourceAxisAlpv*>(kDescriptor.create().get()), nullptr);
}

TEST_F(AxisAlpvOverHttp, JsonPostIsStoredWithItsFields) {
  add();
  const auto answer = post("good_example_1_8.json");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, R"({"success":true})");
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  const PlateEvent& e = stored[0].event;
  EXPECT_EQ(e.sourceId, "axis_gate");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_EQ(e.country, "ITA");
  EXPECT_DOUBLE_EQ(e.confidence.value_or(-1), 0.912);
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.vehicleId, "ACCC8E000001/4711");
  EXPECT_EQ(e.attributes.at("car_state"), "update");
  EXPECT_EQ(e.accessPoint, 0);
  EXPECT_EQ(
      rig_.counter("lpr_webhook_reads_total", {{"plugin", "axis_gate"}, {"result", "stored"}}), 1u);
}

TEST_F(AxisAlpvOverHttp, TcpPushIsConvertedLikeAPost) {
  Plugin& plugin = add({{"allow_from", "127.0.0.1"}, {"tcp_listen", "127.0.0.1:0"}});
  const int port = dynamic_cast<WebhookSource&>(plugin).tcpPort();
  ASSERT_GT(port, 0);
  lpr::testing::TcpCamera camera(port);
  // ALPV's TCP profile sends the push JSON object after object on one connection.
  camera.send(testdata("good_example_1_8.json") + testdata("good_heartbeat.json") +
              testdata("good_example_1_8.json"));
  ASSERT_TRUE(lpr::testing::waitFor(
      [&] {
        return rig_.counter("lpr_webhook_tcp_objects_total",
                            {{"plugin", "axis_gate"}, {"result", "taken"}}) == 3;
      },
      std::chrono::seconds(10)));
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u) << "the resent object is a duplicate";
  EXPECT_EQ(stored[0].event.plate, "AB123CD");
  EXPECT_EQ(stored[0].event.vehicleId, "ACCC8E000001/4711");
  EXPECT_EQ(formatUtc(stored[0].event.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(rig_.counter("lpr_webhook_heartbeats_total", {{"plugin", "axis_gate"}}), 1u);
}

TEST_F(AxisAlpvOverHttp, MultipartPostKeepsTheImagePart) {
  add({{"access_point", "direction"}});
  EXPECT_EQ(post("good_multipart.txt").status, 200);
  const auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event.plate, "AB123CD");
  EXPECT_EQ(stored[0].extension, "jpg");
  EXPECT_EQ(stored[0].image.substr(0, 3), "\xff\xd8\xff");
}

TEST_F(AxisAlpvOverHttp, AReSentPostIsAnsweredButNotStoredTwice) {
  add();
  const auto answer =
      lpr::testing::expectResendStoredOnce(rig_, "axis_gate", goodPost("good_update.json"));
  EXPECT_EQ(answer.body, R"({"success":true})");
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
}

TEST_F(AxisAlpvOverHttp, WrongOrMissingAuthIsRefusedAndNothingStored) {
  add();
  lpr::testing::expectWrongAuthRefused(rig_, "axis_gate", goodPost("good_new.json"));
}

TEST_F(AxisAlpvOverHttp, BadPayloadIs400NamingTheField) {
  add();
  const auto answer = post("bad_confidence.json");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("plateConfidence"), std::string::npos) << answer.body;
  EXPECT_EQ(errors("bad_value"), 1u);
  EXPECT_EQ(post("bad_multipart_unterminated.txt").status, 400);
  EXPECT_EQ(errors("malformed_multipart"), 1u);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  // A good post after bad ones still goes in.
  EXPECT_EQ(post("good_new.json").status, 200);
  EXPECT_EQ(rig_.ingest().stored().size(), 1u);
}

TEST_F(AxisAlpvOverHttp, HeartbeatIsAnsweredAndShowsInHealth) {
  Plugin& plugin = add({{"heartbeat_timeout_s", "600"}});
  EXPECT_EQ(plugin.health().detail.find("heartbeat"), std::string::npos);
  EXPECT_EQ(post("good_heartbeat.json").status, 200);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  EXPECT_EQ(rig_.counter("lpr_webhook_heartbeats_total", {{"plugin", "axis_gate"}}), 1u);
  const Health health = plugin.health();
  EXPECT_EQ(health.state, Health::State::Ok);
  EXPECT_NE(health.detail.find("last heartbeat"), std::string::npos) << health.detail;
}

TEST_F(AxisAlpvOverHttp, LostIgnoredWhenConfigured) {
  add({{"lost", "ignore"}});
  EXPECT_EQ(post("good_lost.json").status, 200);
  EXPECT_EQ(rig_.ingest().submissions(), 0u);
  EXPECT_EQ(rig_.counter("lpr_webhook_ignored_total", {{"plugin", "axis_gate"}}), 1u);
}

// The issue's must-show: NEW → UPDATE (text refined) → LOST for one carID, posted over HTTP and
// run through proc_track as the pipeline does, is one vehicle whose final text is the UPDATE's.
TEST_F(AxisAlpvOverHttp, NewUpdateLostIsOneVehicleWithTheUpdatesText) {
  add();
  for (const char* file : {"good_new.json", "good_update.json", "good_lost.json"}) {
    EXPECT_EQ(post(file).status, 200) << file;
  }
  auto stored = rig_.ingest().stored();
  ASSERT_EQ(stored.size(), 3u);

  lpr::testing::FakePluginContext ctx("track");
  auto now = std::chrono::steady_clock::now();
  proc_track::ProcTrack track([&now] { return now; });
  track.configure(ctx);
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();

  PlateEvent& fresh = stored[0].event;
  PlateEvent& update = stored[1].event;
  PlateEvent& lost = stored[2].event;
  EXPECT_TRUE(track.process(fresh).keep) << "NEW is the vehicle's first read: decided";
  EXPECT_TRUE(fresh.updateOf.empty());
  now += std::chrono::milliseconds(800);
  EXPECT_TRUE(track.process(update).keep) << "UPDATE refines the text";
  EXPECT_EQ(update.updateOf, fresh.id) << "a refinement of the same vehicle, never decided again";
  EXPECT_EQ(update.plate, "AA7690EO");
  now += std::chrono::seconds(10);  // LOST comes ~10 s after the last read
  const Verdict lostVerdict = track.process(lost);
  EXPECT_FALSE(lostVerdict.keep) << "LOST repeats the final text: no second vehicle";
  EXPECT_NE(lostVerdict.why.find(fresh.id), std::string::npos) << lostVerdict.why;

  // What the building sees: one vehicle (one event without update_of), final text AA7690EO.
  int vehicles = 0;
  std::string finalText;
  for (const PlateEvent* e : {&fresh, &update}) {
    if (e->updateOf.empty()) ++vehicles;
    finalText = e->plate;
  }
  EXPECT_EQ(vehicles, 1);
  EXPECT_EQ(finalText, "AA7690EO");
}

TEST(AxisAlpvConfig, SampleConfiguresCleanlyAndItsCommentsAreTheDefaults) {
  lpr::testing::expectSampleConfiguresCleanly(PLUGIN_SAMPLE, "axis_gate", "source_axis_alpv", make,
                                              {"path=/lpr/axis", "auth=basic", "lost=read"});
}

TEST(AxisAlpvConfig, MistakesNameTheirKey) {
  lpr::testing::expectProblemsNameKeys(
      "axis_gate", "source_axis_alpv", make,
      {{"username", "cam"}, {"password", "pw"}, {"lost", "maybe"}, {"lots", "read"}},
      {"lost", "lots"});
}

}  // namespace
}  // namespace lpr::plugins::source_axis_alpv
