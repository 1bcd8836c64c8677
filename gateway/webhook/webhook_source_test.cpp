#include "webhook/webhook_source.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tcp_camera.h"
#include "test_env.h"
#include "webhook/payload_values.h"
#include "webhook_rig.h"

namespace lpr {
namespace {

using testing::ClientAuth;
using testing::TcpCamera;
using testing::waitFor;
using testing::WebhookRig;
using namespace std::chrono_literals;

int tcpPort(Plugin& plugin) { return dynamic_cast<WebhookSource&>(plugin).tcpPort(); }

// A vendor in miniature: {"id":"..","plate":"..","dir":"in|out","image":"<base64>"} or
// {"heartbeat":true}; a list under "plates" gives several reads.
class TestAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/test"; }
  bool acceptsTcp() const override { return true; }
  Conversion convert(const WebhookRequest& request) const override {
    Poco::JSON::Object::Ptr root;
    try {
      root = Poco::JSON::Parser().parse(request.body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception& e) {
      return Conversion::failure("malformed_json", "", e.what());
    }
    Conversion conversion;
    if (root->has("heartbeat")) {
      conversion.heartbeat = true;
      return conversion;
    }
    if (root->has("ignore")) {
      conversion.ignored = "not a plate";
      return conversion;
    }
    if (root->has("throw")) throw std::runtime_error("converter bug");
    auto plate = jsonText(*root, "plate");
    if (!plate) return Conversion::failure("missing_field", "plate", "no plate");
    ConvertedRead read;
    read.event.sourceEventId = jsonText(*root, "id").value_or(contentId({*plate}));
    read.event.plateRaw = read.event.plate = *plate;
    read.event.capturedAt = request.receivedAt;
    read.event.direction =
        jsonText(*root, "dir").value_or("") == "out" ? Direction::Out : Direction::In;
    if (auto image = jsonText(*root, "image")) {
      if (auto bytes = decodeBase64(*image, 1000)) {
        read.image = *bytes;
      } else {
        conversion.warnings.push_back({"bad_image", "image", "not base64"});
      }
    }
    conversion.reads.push_back(read);
    if (auto second = jsonText(*root, "second")) {
      read.event.sourceEventId += "#2";
      read.event.plateRaw = read.event.plate = *second;
      conversion.reads.push_back(read);
    }
    return conversion;
  }
};

class TestSource : public WebhookSource {
 public:
  TestSource() : WebhookSource(std::make_unique<TestAdapter>()) {}
};

Labels plugin(const std::string& id, std::pair<std::string, std::string> label) {
  return {{"plugin", id}, label};
}

TEST(WebhookSource, StoresAReadOnceAndAnswersEveryResend) {
  WebhookRig rig;
  rig.add("cam", "source_test", std::make_unique<TestSource>(),
          {{"username", "cam"}, {"password", "pw"}, {"access_point", "direction"}});
  const std::string body = R"({"id":"r1","plate":"AB123CD","dir":"out","image":"/9j/4A=="})";
  for (int i = 0; i < 3; ++i) {
    auto answer = rig.post("/lpr/test", body, "application/json", ClientAuth::Basic, "cam", "pw");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, R"({"success":true})");
  }
  auto stored = rig.ingest().stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event.sourceId, "cam");
  EXPECT_EQ(stored[0].event.sourceEventId, "r1");
  EXPECT_EQ(stored[0].event.accessPoint, 1) << "access_point = direction, an exit";
  EXPECT_EQ(stored[0].image, std::string("\xFF\xD8\xFF\xE0", 4));
  EXPECT_EQ(rig.counter("lpr_webhook_reads_total", plugin("cam", {"result", "stored"})), 1u);
  EXPECT_EQ(rig.counter("lpr_webhook_reads_total", plugin("cam", {"result", "duplicate"})), 2u);
}

TEST(WebhookSource, WrongCredentialsAre401AndStoreNothing) {
  WebhookRig rig;
  rig.add("cam", "source_test", std::make_unique<TestSource>(),
          {{"auth", "digest"}, {"username", "cam"}, {"password", "pw"}});
  const std::string body = R"({"id":"r1","plate":"AB123CD"})";
  auto wrong = rig.post("/lpr/test", body, "application/json", ClientAuth::Digest, "cam", "nope");
  EXPECT_EQ(wrong.status, 401);
  auto none = rig.post("/lpr/test", body);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.wwwAuthenticate.find("Digest"), std::string::npos);
  EXPECT_EQ(rig.ingest().submissions(), 0u);
  EXPECT_EQ(rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "auth"})), 1u)
      << "a first leg without credentials is not an error";
  EXPECT_EQ(rig.post("/lpr/test", body, "application/json", ClientAuth::Digest, "cam", "pw").status,
            200);
  EXPECT_EQ(rig.ingest().stored().size(), 1u);
}

TEST(WebhookSource, TokenHeaderAndSecretPath) {
  WebhookRig rig;
  rig.add("tok", "source_test", std::make_unique<TestSource>(),
          {{"path", "/lpr/tok"},
           {"auth", "token"},
           {"token", "s3cret-token"},
           {"token_header", "X-Auth-Token"}});
  auto& secret = static_cast<WebhookSource&>(
      rig.add("sec", "source_test", std::make_unique<TestSource>(),
              {{"path", "/lpr/sec"}, {"auth", "secret_path"}, {"secret", "k9Qw2vLx8rTz4mNp"}}));
  const std::string body = R"({"plate":"AB123CD"})";
  EXPECT_EQ(rig.post("/lpr/tok", body, "application/json", ClientAuth::None, "", "",
                     {{"X-Auth-Token", "wrong"}})
                .status,
            401);
  EXPECT_EQ(rig.post("/lpr/tok", body).status, 401);
  EXPECT_EQ(rig.ingest().submissions(), 0u);
  EXPECT_EQ(rig.post("/lpr/tok", body, "application/json", ClientAuth::None, "", "",
                     {{"X-Auth-Token", "s3cret-token"}})
                .status,
            200);
  EXPECT_EQ(secret.routePath(), "/lpr/sec/k9Qw2vLx8rTz4mNp");
  EXPECT_EQ(rig.post("/lpr/sec", body).status, 404);
  EXPECT_EQ(rig.post("/lpr/sec/guess", body).status, 404);
  EXPECT_EQ(rig.post("/lpr/sec/k9Qw2vLx8rTz4mNp", R"({"plate":"XY1"})").status, 200);
  EXPECT_EQ(rig.ingest().stored().size(), 2u);
  std::ostringstream described;
  secret.describe(described);
  EXPECT_EQ(described.str().find("k9Qw2vLx8rTz4mNp"), std::string::npos) << described.str();
}

TEST(WebhookSource, BadInputIsRefusedWithItsKindAndCounted) {
  WebhookRig rig;
  rig.add("cam", "source_test", std::make_unique<TestSource>(),
          {{"auth", "none"}, {"max_body_bytes", "2048"}, {"allow_from", "127.0.0.0/8"}});
  auto malformed = rig.post("/lpr/test", "{\"plate\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("\"kind\":\"malformed_json\""), std::string::npos);
  auto missing = rig.post("/lpr/test", "{\"id\":\"x\"}");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("\"field\":\"plate\""), std::string::npos);
  EXPECT_EQ(rig.post("/lpr/test", std::string(4096, ' ')).status, 413);
  EXPECT_EQ(rig.post("/lpr/test", "", "", ClientAuth::None, "", "", {}, "GET").status, 405);
  EXPECT_EQ(rig.post("/lpr/test", R"({"throw":1})").status, 400) << "a converter bug";
  auto badImage = rig.post("/lpr/test", R"({"id":"i","plate":"AB1","image":"***"})");
  EXPECT_EQ(badImage.status, 200) << "a bad image costs the image, not the read";
  ASSERT_EQ(rig.ingest().stored().size(), 1u);
  EXPECT_TRUE(rig.ingest().stored()[0].image.empty());
  for (const char* kind :
       {"malformed_json", "missing_field", "too_big", "method", "bad_value", "bad_image"}) {
    EXPECT_EQ(rig.counter("lpr_input_errors_total", plugin("cam", {"kind", kind})), 1u) << kind;
  }
  EXPECT_EQ(rig.counter("lpr_http_requests_total", plugin("cam", {"code", "400"})), 3u);
}

TEST(WebhookSource, AllowListRefusesOtherAddresses) {
  WebhookRig rig;
  rig.add("cam", "source_test", std::make_unique<TestSource>(),
          {{"auth", "none"}, {"allow_from", "10.1.2.0/24"}});
  EXPECT_EQ(rig.post("/lpr/test", R"({"plate":"AB1"})").status, 403);
  EXPECT_EQ(rig.ingest().submissions(), 0u);
  EXPECT_EQ(rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "forbidden"})), 1u);
}

TEST(WebhookSource, StoreFailureAsksForAResendAndTheResendIsNotDoubled) {
  WebhookRig rig;
  rig.add("cam", "source_test", std::make_unique<TestSource>(), {{"auth", "none"}});
  rig.ingest().setFail(true);
  const std::string body = R"({"id":"r9","plate":"AB1","second":"CD2"})";
  EXPECT_EQ(rig.post("/lpr/test", body).status, 503);
  EXPECT_TRUE(rig.ingest().stored().empty());
  rig.ingest().setFail(false);
  EXPECT_EQ(rig.post("/lpr/test", body).status, 200);
  EXPECT_EQ(rig.post("/lpr/test", body).status, 200);
  ASSERT_EQ(rig.ingest().stored().size(), 2u) << "two plates in one post, each once";
  EXPECT_EQ(rig.ingest().stored()[1].event.plate, "CD2");
}

TEST(WebhookSource, HeartbeatsShowInHealthAndMakeNoEvent) {
  WebhookRig rig;
  auto& source = rig.add("cam", "source_test", std::make_unique<TestSource>(),
                         {{"auth", "none"}, {"heartbeat_timeout_s", "600"}});
  EXPECT_EQ(source.health().state, Health::State::Ok);
  EXPECT_EQ(source.health().detail, "");
  EXPECT_EQ(rig.post("/lpr/test", R"({"heartbeat":true})").status, 200);
  EXPECT_EQ(rig.post("/lpr/test", R"({"ignore":true})").status, 200);
  EXPECT_EQ(rig.ingest().submissions(), 0u);
  EXPECT_EQ(source.health().state, Health::State::Ok);
  EXPECT_NE(source.health().detail.find("last heartbeat"), std::string::npos);
  EXPECT_EQ(rig.counter("lpr_webhook_heartbeats_total", {{"plugin", "cam"}}), 1u);
  EXPECT_EQ(rig.counter("lpr_webhook_ignored_total", {{"plugin", "cam"}}), 1u);
}

TEST(WebhookSource, ConfigMistakesNameTheirKey) {
  WebhookRig rig;
  TestSource source;
  auto problems = rig.configureProblems("cam", "source_test", source,
                                        {{"auth", "kerberos"},
                                         {"path", "lpr"},
                                         {"access_point", "2"},
                                         {"allow_from", "10.0.0"},
                                         {"max_body_bytes", "10"},
                                         {"colour", "red"}});
  std::string all;
  for (const auto& line : problems) all += line + "\n";
  for (const char* key :
       {"plugin.cam.auth", "plugin.cam.path", "plugin.cam.access_point", "plugin.cam.allow_from",
        "plugin.cam.max_body_bytes", "plugin.cam.colour"}) {
    EXPECT_NE(all.find(key), std::string::npos) << key << " not in:\n" << all;
  }
  TestSource tokenless;
  auto missing = rig.configureProblems("tok", "source_test", tokenless,
                                       {{"auth", "secret_path"}, {"secret", "short"}});
  ASSERT_FALSE(missing.empty());
  EXPECT_NE(missing[0].find("plugin.tok.secret"), std::string::npos) << missing[0];
  EXPECT_EQ(missing[0].find("short"), std::string::npos) << "the secret is not echoed";
}

TEST(WebhookSource, TcpPushTakesObjectsAsPostsAndStoresAResendOnce) {
  WebhookRig rig;
  auto& source =
      rig.add("cam", "source_test", std::make_unique<TestSource>(),
              {{"auth", "none"}, {"allow_from", "127.0.0.1"}, {"tcp_listen", "127.0.0.1:0"}});
  ASSERT_GT(tcpPort(source), 0);
  TcpCamera camera(tcpPort(source));
  const std::string first = R"({"id":"t1","plate":"AB123CD","dir":"out"})";
  // Two objects in one write, the second cut across writes, then a resend of the first.
  camera.send(first + "\n{\"id\":\"t2\",\"pla");
  camera.send("te\":\"XY987\"}\n" + first + "\n{\"heartbeat\":true}");
  ASSERT_TRUE(waitFor(
      [&] {
        return rig.counter("lpr_webhook_tcp_objects_total", plugin("cam", {"result", "taken"})) ==
               4;
      },
      10s));
  const auto stored = rig.ingest().stored();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].event.plate, "AB123CD");
  EXPECT_EQ(stored[0].event.sourceId, "cam");
  EXPECT_EQ(stored[1].event.plate, "XY987");
  EXPECT_EQ(rig.counter("lpr_webhook_reads_total", plugin("cam", {"result", "duplicate"})), 1u);
  EXPECT_EQ(rig.counter("lpr_webhook_heartbeats_total", {{"plugin", "cam"}}), 1u);
  EXPECT_EQ(rig.counter("lpr_http_requests_total", plugin("cam", {"code", "200"})), 0u);
}

TEST(WebhookSource, TcpPushCountsBadObjectsAndGarbageAndGoesOn) {
  WebhookRig rig;
  auto& source = rig.add("cam", "source_test", std::make_unique<TestSource>(),
                         {{"auth", "none"},
                          {"allow_from", "127.0.0.0/8"},
                          {"tcp_listen", "127.0.0.1:0"},
                          {"max_body_bytes", "1024"}});
  TcpCamera camera(tcpPort(source));
  camera.send(R"(garbage {"id":"x"} {"plate":)" + std::string("\"") + std::string(2000, 'Z') +
              "\"} {\"id\":\"ok\",\"plate\":\"GOOD1\"}");
  ASSERT_TRUE(waitFor([&] { return rig.ingest().stored().size() == 1; }, 10s));
  EXPECT_EQ(rig.ingest().stored()[0].event.plate, "GOOD1");
  EXPECT_EQ(rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "framing"})), 1u);
  EXPECT_EQ(rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "missing_field"})), 1u);
  EXPECT_EQ(rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "too_big"})), 1u);
  EXPECT_EQ(rig.counter("lpr_webhook_tcp_objects_total", plugin("cam", {"result", "refused"})), 1u);
  // A connection that ends inside an object is counted as cut off.
  camera.send(R"({"id":"cut","plate":"HALF)");
  camera.close();
  EXPECT_TRUE(waitFor(
      [&] {
        return rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "truncated"})) == 1;
      },
      10s));
  EXPECT_EQ(rig.ingest().stored().size(), 1u);
}

TEST(WebhookSource, TcpPushFromAnAddressOutsideAllowFromIsClosedUnread) {
  WebhookRig rig;
  auto& source =
      rig.add("cam", "source_test", std::make_unique<TestSource>(),
              {{"auth", "none"}, {"allow_from", "10.9.8.0/24"}, {"tcp_listen", "127.0.0.1:0"}});
  TcpCamera camera(tcpPort(source));
  camera.send(R"({"id":"t1","plate":"AB123CD"})");
  EXPECT_TRUE(camera.closedByPeer());
  EXPECT_TRUE(waitFor(
      [&] {
        return rig.counter("lpr_input_errors_total", plugin("cam", {"kind", "forbidden"})) == 1;
      },
      10s));
  EXPECT_EQ(rig.ingest().submissions(), 0u);
}

TEST(WebhookSource, TcpPushClosesTheConnectionWhenTheStoreFails) {
  WebhookRig rig;
  auto& source =
      rig.add("cam", "source_test", std::make_unique<TestSource>(),
              {{"auth", "none"}, {"allow_from", "127.0.0.1"}, {"tcp_listen", "127.0.0.1:0"}});
  rig.ingest().setFail(true);
  TcpCamera camera(tcpPort(source));
  camera.send(R"({"id":"f1","plate":"AB1"})");
  // Closing is the only "send again" a raw TCP push has.
  EXPECT_TRUE(camera.closedByPeer());
  EXPECT_EQ(rig.counter("lpr_webhook_tcp_objects_total", plugin("cam", {"result", "not_stored"})),
            1u);
  rig.ingest().setFail(false);
  TcpCamera again(tcpPort(source));
  again.send(R"({"id":"f1","plate":"AB1"})");
  EXPECT_TRUE(waitFor([&] { return rig.ingest().stored().size() == 1; }, 10s));
}

TEST(WebhookSource, TcpListenNeedsAllowFromAndAHostPort) {
  WebhookRig rig;
  TestSource open;
  auto problems = rig.configureProblems("cam", "source_test", open,
                                        {{"auth", "none"}, {"tcp_listen", ":9500"}});
  std::string all;
  for (const auto& line : problems) all += line + "\n";
  EXPECT_NE(all.find("plugin.cam.tcp_listen"), std::string::npos) << all;
  TestSource unguarded;
  problems = rig.configureProblems("cam2", "source_test", unguarded,
                                   {{"auth", "none"}, {"tcp_listen", "0.0.0.0:9500"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("plugin.cam2.allow_from"), std::string::npos) << problems[0];
  TestSource badPort;
  problems = rig.configureProblems(
      "cam3", "source_test", badPort,
      {{"auth", "none"}, {"allow_from", "10.0.0.1"}, {"tcp_listen", "0.0.0.0:99999"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("plugin.cam3.tcp_listen"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace lpr
