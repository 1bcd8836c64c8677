#include "two_n_simulator.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCredentials.h>
#include <Poco/Net/HTTPDigestCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/UUIDGenerator.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <sstream>

#include "http_test_client.h"
#include "test_env.h"
#include "test_pki.h"
#include "two_n_certificate.h"
#include "two_n_reply.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;
using Poco::JSON::Object;

const std::string kUser = "gateway";
const std::string kPassword = "s3cret";

std::string newUuid() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

struct Answer {
  int status = 0;
  std::string body;
  std::string contentType;
  std::string wwwAuthenticate;

  Object::Ptr json() const { return parseJsonObject(body); }
  bool success() const { return json()->getValue<bool>("success"); }
  int errorCode() const { return json()->getObject("error")->getValue<int>("code"); }
  std::string errorParam() const {
    return json()->getObject("error")->optValue<std::string>("param", "");
  }
  Object::Ptr result() const { return json()->getObject("result"); }
};

// A client the way a gateway talks to a device: one kept-alive connection, Digest answered
// once per challenge (Poco::Net::HTTPDigestCredentials), the nonce reused with a growing nc.
class DeviceClient {
 public:
  DeviceClient(const TwoNSimulator& device, const std::string& caFile, std::string user = kUser,
               std::string password = kPassword)
      : port_(device.boundPort()),
        tls_(device.options().tls),
        caFile_(caFile),
        credentials_(std::move(user), std::move(password)) {
    reconnect();
  }

  // A new connection; the credentials keep their nonce (as a client does after a reset).
  void reconnect() {
    if (tls_) {
      Poco::Net::Context::Ptr context = new Poco::Net::Context(
          Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile_, Poco::Net::Context::VERIFY_STRICT);
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(
          "127.0.0.1", static_cast<Poco::UInt16>(port_), context);
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                                static_cast<Poco::UInt16>(port_));
    }
    session_->setKeepAlive(true);
    session_->setTimeout(Poco::Timespan(60, 0));
  }

  Answer send(const std::string& method, const std::string& uri, const std::string& body = {},
              const std::string& contentType = "application/json") {
    Answer answer = once(method, uri, body, contentType, false);
    if (answer.status == 401 && !answer.wwwAuthenticate.empty()) {
      ++challenges_;
      lastChallenge_ = answer.wwwAuthenticate;
      answer = once(method, uri, body, contentType, true);
    }
    return answer;
  }
  Answer get(const std::string& uri) { return send("GET", uri); }
  Answer post(const std::string& uri, const std::string& json) { return send("POST", uri, json); }
  Answer put(const std::string& uri, const std::string& json) { return send("PUT", uri, json); }

  int challenges() const { return challenges_; }
  const std::string& lastChallenge() const { return lastChallenge_; }

 private:
  Answer once(const std::string& method, const std::string& uri, const std::string& body,
              const std::string& contentType, bool answerChallenge) {
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!body.empty()) request.setContentType(contentType);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    if (answerChallenge) {
      credentials_.authenticate(request, lastResponse_);
      authenticated_ = true;
    } else if (authenticated_) {
      // HTTPDigestCredentials, not HTTPCredentials: the latter only updates a request that
      // already carries an Authorization header.
      credentials_.updateAuthInfo(request);
    }
    session_->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    Answer answer;
    answer.status = response.getStatus();
    answer.contentType = response.getContentType();
    answer.wwwAuthenticate = response.get("WWW-Authenticate", "");
    Poco::StreamCopier::copyToString(in, answer.body);
    lastResponse_ = response;
    return answer;
  }

  int port_;
  bool tls_;
  std::string caFile_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  Poco::Net::HTTPDigestCredentials credentials_;
  Poco::Net::HTTPResponse lastResponse_;
  bool authenticated_ = false;
  int challenges_ = 0;
  std::string lastChallenge_;
};

class TwoNSimulatorTest : public ::testing::Test {
 protected:
  // A throwaway CA for the tests that need one, made once per process: it takes a few openssl
  // runs, while the simulator's own self-signed certificate (the default here) takes microseconds.
  static const TestPki& testPki() {
    static ScratchDir scratch("lpr-2n-sim-test");
    static const TestPki pki = makeTestPki(scratch.path());
    return pki;
  }

  TwoNSimulatorOptions options() const {
    TwoNSimulatorOptions options;
    options.username = kUser;
    options.password = kPassword;
    options.switchOnDuration = 50ms;
    return options;
  }

  std::unique_ptr<TwoNSimulator> startDevice(TwoNSimulatorOptions options) {
    auto device = std::make_unique<TwoNSimulator>(std::move(options));
    device->start();
    return device;
  }
  std::unique_ptr<TwoNSimulator> startDevice() { return startDevice(options()); }

  DeviceClient client(const TwoNSimulator& device) { return DeviceClient(device, device.caFile()); }

  static Answer postRead(DeviceClient& client, const std::string& plate, int accessPoint = 0,
                         const std::string& image = {}) {
    return client.post("/api/lpr/licenseplate",
                       twoNRead(newUuid(), plate, accessPoint, 4711, 2, image));
  }
};

// --- Authentication ---------------------------------------------------------------------------

TEST_F(TwoNSimulatorTest, DigestOverHttpsWithTheTestCa) {
  auto opts = options();
  opts.certFile = testPki().certFile;
  opts.keyFile = testPki().keyFile;
  opts.caFile = testPki().caFile;
  auto device = startDevice(opts);
  EXPECT_EQ(device->caFile(), testPki().caFile);
  const HttpAnswer answer =
      httpsRequest(device->boundPort(), testPki().caFile, "GET", "/api/system/info", {}, {},
                   ClientAuth::Digest, kUser, kPassword);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto result = parseJsonObject(answer.body)->getObject("result");
  EXPECT_EQ(result->getValue<std::string>("variant"), "2N IP Verso");
  EXPECT_EQ(result->getValue<std::string>("swVersion"), "2.40.0.50.3");
  EXPECT_EQ(result->getValue<std::string>("buildType"), "beta");
  EXPECT_TRUE(result->has("serialNumber"));
  EXPECT_TRUE(result->has("hwVersion"));
  EXPECT_TRUE(result->has("deviceName"));
}

TEST_F(TwoNSimulatorTest, WrongOrMissingCredentialsGet401WithCode9) {
  auto device = startDevice();
  const HttpAnswer wrong =
      httpsRequest(device->boundPort(), device->caFile(), "GET", "/api/system/info", {}, {},
                   ClientAuth::Digest, kUser, "wrong");
  EXPECT_EQ(wrong.status, 401);
  const auto body = parseJsonObject(wrong.body);
  EXPECT_FALSE(body->getValue<bool>("success"));
  EXPECT_EQ(body->getObject("error")->getValue<int>("code"), 9);
  EXPECT_NE(wrong.wwwAuthenticate.find("Digest"), std::string::npos);
  EXPECT_NE(wrong.wwwAuthenticate.find("qop=\"auth\""), std::string::npos);
  EXPECT_NE(wrong.wwwAuthenticate.find("algorithm=MD5"), std::string::npos);

  const HttpAnswer none = httpsRequest(device->boundPort(), device->caFile(), "GET",
                                       "/api/system/info", {}, {}, ClientAuth::None, {}, {});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(parseJsonObject(none.body)->getObject("error")->getValue<int>("code"), 9);

  device->setCredentials(kUser, "changed");
  const HttpAnswer old =
      httpsRequest(device->boundPort(), device->caFile(), "GET", "/api/system/info", {}, {},
                   ClientAuth::Digest, kUser, kPassword);
  EXPECT_EQ(old.status, 401);
}

TEST_F(TwoNSimulatorTest, BasicOnlyWhenAllowed) {
  auto device = startDevice();
  const HttpAnswer basic =
      httpsRequest(device->boundPort(), device->caFile(), "GET", "/api/system/info", {}, {},
                   ClientAuth::Basic, kUser, kPassword);
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(parseJsonObject(basic.body)->getObject("error")->getValue<int>("code"), 8);

  device->setAuthMode(HttpAuthMode::Any);
  const HttpAnswer allowed =
      httpsRequest(device->boundPort(), device->caFile(), "GET", "/api/system/info", {}, {},
                   ClientAuth::Basic, kUser, kPassword);
  EXPECT_EQ(allowed.status, 200);
}

TEST_F(TwoNSimulatorTest, ExpiredNonceIsAnsweredStaleAndTheClientReauthenticates) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  ASSERT_EQ(gateway.get("/api/system/info").status, 200);
  ASSERT_EQ(gateway.get("/api/system/info").status, 200);
  EXPECT_EQ(gateway.challenges(), 1);  // the nonce is reused with nc=2

  device->expireNonces();
  const Answer again = gateway.get("/api/system/info");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(gateway.challenges(), 2);
  EXPECT_NE(gateway.lastChallenge().find("stale=true"), std::string::npos);
}

TEST_F(TwoNSimulatorTest, RestartedDeviceForgetsItsNonces) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  ASSERT_EQ(gateway.get("/api/system/info").status, 200);
  device->restart();
  // The connection died with the device; on a new one the old nonce gets a fresh challenge,
  // not a stale one: the device cannot tell it ever handed that nonce out.
  gateway.reconnect();
  EXPECT_EQ(gateway.get("/api/system/info").status, 200);
  EXPECT_EQ(gateway.challenges(), 2);
  EXPECT_EQ(gateway.lastChallenge().find("stale=true"), std::string::npos);
}

// --- LPR --------------------------------------------------------------------------------------

TEST_F(TwoNSimulatorTest, PlateOfAUserIsLoggedValidWithItsUuid) {
  auto device = startDevice();
  const std::string uuid = device->addUser({.name = "Alice", .plates = {"AB 123 CD", "XY1"}});
  DeviceClient gateway = client(*device);
  const Answer answer = postRead(gateway, "ab123cd");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, R"({"success":true})");

  const auto events = device->events("LicensePlateRecognized");
  ASSERT_EQ(events.size(), 1u);
  const auto params = events[0].params();
  EXPECT_EQ(params->getValue<std::string>("licensePlate"), "ab123cd");
  EXPECT_EQ(params->getValue<int>("ap"), 0);
  EXPECT_EQ(params->getValue<std::string>("uuid"), uuid);
  EXPECT_TRUE(params->getValue<bool>("valid"));
  EXPECT_GT(params->getValue<int>("session"), 0);

  const auto requests = device->lprRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].lprId, 4711);
  EXPECT_EQ(requests[0].lprDir, 2);
  EXPECT_EQ(requests[0].account, kUser);
  EXPECT_TRUE(requests[0].decision.valid);
  // A valid plate opens the door: switch 1 on, then off again after the switch-on time.
  EXPECT_TRUE(waitFor([&] { return device->events("SwitchStateChanged").size() == 2; }));
  EXPECT_FALSE(device->switchActive(1));
}

TEST_F(TwoNSimulatorTest, UnknownPlateIsLoggedInvalidWithoutUuid) {
  auto device = startDevice();
  device->addUser({.name = "Alice", .plates = {"AB123CD"}});
  DeviceClient gateway = client(*device);
  ASSERT_TRUE(postRead(gateway, "ZZ999").success());
  const auto events = device->events("LicensePlateRecognized");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].params()->has("uuid"));
  EXPECT_FALSE(events[0].params()->getValue<bool>("valid"));
  EXPECT_TRUE(device->events("SwitchStateChanged").empty());
}

TEST_F(TwoNSimulatorTest, ValidityAndDisabledAccessPointMakeAPlateInvalid) {
  auto device = startDevice();
  const std::string expired =
      device->addUser({.name = "Expired", .plates = {"OLD1"}, .validTo = "1000"});
  device->addUser({.name = "Future", .plates = {"NEW1"}, .validFrom = "4102444800"});
  const std::string entryOnly =
      device->addUser({.name = "EntryOnly", .plates = {"IN1"}, .exitEnabled = false});
  DeviceClient gateway = client(*device);
  ASSERT_TRUE(postRead(gateway, "OLD1").success());
  ASSERT_TRUE(postRead(gateway, "NEW1").success());
  ASSERT_TRUE(postRead(gateway, "IN1", 1).success());
  ASSERT_TRUE(postRead(gateway, "IN1", 0).success());

  const auto events = device->events("LicensePlateRecognized");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].params()->getValue<std::string>("uuid"), expired);
  EXPECT_FALSE(events[0].params()->getValue<bool>("valid"));
  EXPECT_FALSE(events[1].params()->getValue<bool>("valid"));
  EXPECT_EQ(events[2].params()->getValue<std::string>("uuid"), entryOnly);
  EXPECT_EQ(events[2].params()->getValue<int>("ap"), 1);
  EXPECT_FALSE(events[2].params()->getValue<bool>("valid"));
  EXPECT_TRUE(events[3].params()->getValue<bool>("valid"));
}

TEST_F(TwoNSimulatorTest, LicensePlateRequestsAreValidatedLikeTheDevice) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  struct Case {
    std::string body;
    int code;
    std::string param;
  };
  const std::string uuid = newUuid();
  const std::vector<Case> cases = {
      {R"({"lprID":1,"accessPoint":0,"plateText":"AB1"})", 11, "lprUuid"},
      {R"({"lprUuid":")" + uuid + R"(","accessPoint":0,"plateText":"AB1"})", 11, "lprID"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":1,"plateText":"AB1"})", 11, "accessPoint"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":1,"accessPoint":0})", 11, "plateText"},
      {R"({"lprUuid":"not-a-uuid","lprID":1,"accessPoint":0,"plateText":"AB1"})", 12, "lprUuid"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":"x","accessPoint":0,"plateText":"AB1"})", 12,
       "lprID"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":1,"accessPoint":2,"plateText":"AB1"})", 12,
       "accessPoint"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":1,"accessPoint":0,"plateText":""})", 12,
       "plateText"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":1,"accessPoint":0,"plateText":"ABCDEFGHIJKLM"})", 12,
       "plateText"},
      {R"({"lprUuid":")" + uuid + R"(","lprID":1,"accessPoint":0,"plateText":"AB1","lprDir":4})",
       12, "lprDir"},
      {R"({"lprUuid":")" + uuid +
           R"(","lprID":1,"accessPoint":0,"plateText":"AB1","plateImage":")" +
           std::string(256 * 1024 + 4, 'A') + R"("})",
       13, "plateImage"},
      {"{not json", 12, ""},
  };
  for (const auto& item : cases) {
    const Answer answer = gateway.post("/api/lpr/licenseplate", item.body);
    ASSERT_EQ(answer.status, 200) << item.body.substr(0, 120);
    EXPECT_FALSE(answer.success()) << item.body.substr(0, 120);
    EXPECT_EQ(answer.errorCode(), item.code) << item.body.substr(0, 120);
    EXPECT_EQ(answer.errorParam(), item.param) << item.body.substr(0, 120);
  }
  const Answer form = gateway.send("POST", "/api/lpr/licenseplate", twoNRead(uuid, "AB1"),
                                   "application/x-www-form-urlencoded");
  EXPECT_EQ(form.errorCode(), 14);
  EXPECT_EQ(gateway.get("/api/lpr/licenseplate").errorCode(), 3);
  EXPECT_TRUE(device->events("LicensePlateRecognized").empty());
  EXPECT_EQ(device->lprRequests().size(), cases.size() + 1);
  EXPECT_EQ(device->lprRequests()[0].errorCode, 11);
}

TEST_F(TwoNSimulatorTest, FirmwareBefore240RejectsOrIgnoresLprIdAndLprDir) {
  auto opts = options();
  opts.swVersion = "2.39.1.45.2";
  auto device = startDevice(opts);
  DeviceClient gateway = client(*device);
  EXPECT_EQ(gateway.get("/api/system/info").result()->getValue<std::string>("swVersion"),
            "2.39.1.45.2");
  const Answer withId = postRead(gateway, "AB1");
  EXPECT_EQ(withId.errorCode(), 12);
  EXPECT_EQ(withId.errorParam(), "lprID");
  const std::string plain =
      R"({"lprUuid":")" + newUuid() + R"(","accessPoint":0,"plateText":"AB1"})";
  EXPECT_TRUE(gateway.post("/api/lpr/licenseplate", plain).success());

  device->setLegacyLprKeys(LegacyLprKeys::Ignore);
  EXPECT_TRUE(postRead(gateway, "AB1").success());
  const auto requests = device->lprRequests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[2].lprId.has_value());
  EXPECT_FALSE(requests[2].lprDir.has_value());
}

TEST_F(TwoNSimulatorTest, ImageStoreKeepsTheFiveNewestAndTheNewestPerPlate) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  for (int i = 1; i <= 6; ++i) {
    const std::string plate = "P" + std::to_string(i);
    ASSERT_TRUE(postRead(gateway, plate, 0, base64("jpeg of " + plate)).success());
  }
  ASSERT_TRUE(postRead(gateway, "P 5", 0, base64("newer jpeg of P5")).success());
  EXPECT_EQ(device->storedImagePlates(), (std::vector<std::string>{"P5", "P6", "P5", "P4", "P3"}));

  const Answer newest = gateway.get("/api/lpr/image?plateText=P5");
  EXPECT_EQ(newest.status, 200);
  EXPECT_EQ(newest.contentType, "image/jpeg");
  EXPECT_EQ(newest.body, "newer jpeg of P5");
  EXPECT_EQ(gateway.get("/api/lpr/image?plateText=P3").body, "jpeg of P3");
  const Answer dropped = gateway.get("/api/lpr/image?plateText=P2");
  EXPECT_EQ(dropped.status, 200);
  EXPECT_EQ(dropped.errorCode(), 15);
  EXPECT_EQ(gateway.get("/api/lpr/image").errorCode(), 11);
}

// --- Event log --------------------------------------------------------------------------------

TEST_F(TwoNSimulatorTest, LongPollReturnsPromptlyWhenAnEventArrives) {
  auto device = startDevice();
  device->addUser({.name = "Alice", .plates = {"AB123CD"}});
  DeviceClient reader = client(*device);
  const Answer subscribed =
      reader.get("/api/log/subscribe?filter=LicensePlateRecognized,UserAuthenticated&duration=60");
  ASSERT_TRUE(subscribed.success()) << subscribed.body;
  const auto id = subscribed.result()->getValue<std::uint32_t>("id");

  const auto started = std::chrono::steady_clock::now();
  auto pulled = std::async(std::launch::async, [&] {
    return reader.get("/api/log/pull?id=" + std::to_string(id) + "&timeout=30");
  });
  ASSERT_TRUE(waitFor([&] { return device->waitingPulls() == 1; }));
  DeviceClient camera = client(*device);
  ASSERT_TRUE(postRead(camera, "AB123CD").success());
  const Answer answer = pulled.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  ASSERT_TRUE(answer.success()) << answer.body;
  const auto events = answer.result()->getArray("events");
  ASSERT_EQ(events->size(), 1u);  // the filter kept DeviceState and SwitchStateChanged out
  const auto event = events->getObject(0);
  EXPECT_EQ(event->getValue<std::string>("event"), "LicensePlateRecognized");
  EXPECT_GT(event->getValue<int>("id"), 0);
  EXPECT_TRUE(event->has("utcTime"));
  EXPECT_TRUE(event->has("upTime"));
  EXPECT_EQ(event->getObject("params")->getValue<std::string>("licensePlate"), "AB123CD");
  EXPECT_TRUE(event->getObject("params")->getValue<bool>("valid"));
}

TEST_F(TwoNSimulatorTest, LongPollReturnsEmptyAfterItsTimeout) {
  auto device = startDevice();
  DeviceClient reader = client(*device);
  const auto id = reader.get("/api/log/subscribe").result()->getValue<std::uint32_t>("id");
  const auto started = std::chrono::steady_clock::now();
  const Answer answer = reader.get("/api/log/pull?id=" + std::to_string(id) + "&timeout=1");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
  ASSERT_TRUE(answer.success());
  EXPECT_EQ(answer.result()->getArray("events")->size(), 0u);
  // timeout=0 answers at once.
  EXPECT_TRUE(reader.get("/api/log/pull?id=" + std::to_string(id)).success());
}

TEST_F(TwoNSimulatorTest, ChannelIsInvalidAfterRestartOrUnsubscribe) {
  auto device = startDevice();
  const int port = device->boundPort();
  auto reader = std::make_unique<DeviceClient>(*device, device->caFile());
  const auto id = reader->get("/api/log/subscribe").result()->getValue<std::uint32_t>("id");
  EXPECT_EQ(device->logChannels(), 1u);

  device->restart();
  EXPECT_EQ(device->boundPort(), port);
  reader = std::make_unique<DeviceClient>(*device, device->caFile());
  const Answer old = reader->get("/api/log/pull?id=" + std::to_string(id));
  EXPECT_EQ(old.status, 200);
  EXPECT_EQ(old.errorCode(), 12);
  EXPECT_EQ(old.errorParam(), "id");

  // The new boot's history starts with DeviceState startup.
  const auto fresh =
      reader->get("/api/log/subscribe?include=all").result()->getValue<std::uint32_t>("id");
  const auto history = reader->get("/api/log/pull?id=" + std::to_string(fresh)).result();
  const auto first = history->getArray("events")->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("event"), "DeviceState");
  EXPECT_EQ(first->getObject("params")->getValue<std::string>("state"), "startup");
  EXPECT_EQ(first->getValue<int>("id"), 1);

  EXPECT_TRUE(reader->get("/api/log/unsubscribe?id=" + std::to_string(fresh)).success());
  EXPECT_EQ(reader->get("/api/log/pull?id=" + std::to_string(fresh)).errorCode(), 12);
  EXPECT_EQ(reader->get("/api/log/unsubscribe?id=" + std::to_string(fresh)).errorCode(), 12);
  EXPECT_EQ(reader->get("/api/log/pull").errorCode(), 11);
}

TEST_F(TwoNSimulatorTest, StopCutsAWaitingLongPoll) {
  auto device = startDevice();
  DeviceClient reader = client(*device);
  const auto id = reader.get("/api/log/subscribe").result()->getValue<std::uint32_t>("id");
  auto pulled = std::async(std::launch::async, [&]() -> int {
    try {
      return reader.get("/api/log/pull?id=" + std::to_string(id) + "&timeout=60").status;
    } catch (const Poco::Exception&) {
      return -1;  // the connection dropped, as with a device that lost power
    }
  });
  ASSERT_TRUE(waitFor([&] { return device->waitingPulls() == 1; }));
  device->stop();
  ASSERT_EQ(pulled.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(device->running());
}

// --- Directory --------------------------------------------------------------------------------

TEST_F(TwoNSimulatorTest, DirectoryOverHttpWithIncrementalQueryAndTombstones) {
  auto device = startDevice();
  DeviceClient admin = client(*device);
  const std::string alice = "4C957905-5D3F-479B-839A-C7D5B2AE2DB5";
  const std::string bob = "4C957905-5D3F-479B-839A-C7D5B2AE2DB6";
  const Answer created = admin.put(
      "/api/dir/create", R"({"users":[{"uuid":")" + alice +
                             R"(","name":"Alice","access":{"licensePlates":"AB123CD"}},{"uuid":")" +
                             bob + R"(","name":"Bob","access":{"licensePlates":"XY9"}}]})");
  ASSERT_TRUE(created.success()) << created.body;
  const std::string series = created.result()->getValue<std::string>("series");
  EXPECT_EQ(admin.post("/api/dir/create", "{}").errorCode(), 3);  // writes are PUT

  ASSERT_TRUE(
      admin
          .put("/api/dir/update", R"({"users":[{"uuid":")" + alice +
                                      R"(","access":{"licensePlates":"AB123CD,AB124CD"}}]})")
          .success());
  ASSERT_TRUE(admin.put("/api/dir/delete", R"({"users":[{"uuid":")" + bob + R"("}]})").success());

  const Answer changes =
      admin.post("/api/dir/query",
                 R"({"series":")" + series +
                     R"(","fields":["name","access.licensePlates"],"iterator":{"timestamp":2}})");
  ASSERT_TRUE(changes.success()) << changes.body;
  const auto users = changes.result()->getArray("users");
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ(users->getObject(0)->getObject("access")->getValue<std::string>("licensePlates"),
            "AB123CD,AB124CD");
  EXPECT_EQ(users->getObject(0)->getValue<int>("timestamp"), 3);
  EXPECT_TRUE(users->getObject(1)->getValue<bool>("deleted"));
  EXPECT_EQ(users->getObject(1)->getValue<int>("timestamp"), 4);

  const Answer gone = admin.post("/api/dir/get", R"({"users":[{"uuid":")" + bob + R"("}]})");
  EXPECT_EQ(gone.result()
                ->getArray("users")
                ->getObject(0)
                ->getArray("errors")
                ->getObject(0)
                ->getValue<std::string>("code"),
            "EDIR_UUID_DOES_NOT_EXIST");
  EXPECT_EQ(device->events("DirectoryChanged").size(), 3u);
  const auto entries = device->directoryEntries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[1]->getValue<bool>("deleted"));

  // A new series (a reset): the old series' iterator gets nothing, a full read gets Alice.
  device->restart(true);
  DeviceClient after = client(*device);
  const Answer stale =
      after.post("/api/dir/query", R"({"series":")" + series + R"(","iterator":{"timestamp":4}})");
  EXPECT_NE(stale.result()->getValue<std::string>("series"), series);
  EXPECT_EQ(stale.result()->getArray("users")->size(), 0u);
  const Answer full = after.post("/api/dir/query", R"({"iterator":{"timestamp":0}})");
  EXPECT_EQ(full.result()->getArray("users")->size(), 1u);

  const Answer templ = after.get("/api/dir/template");
  const auto entry = templ.result()->getArray("users")->getObject(0);
  EXPECT_EQ(entry->getObject("access")->getValue<std::string>("licensePlates"), "");
  EXPECT_EQ(entry->getObject("access")->getArray("accessPoints")->size(), 2u);
}

TEST_F(TwoNSimulatorTest, TooManyOrTooLongPlatesAreRefused) {
  auto device = startDevice();
  DeviceClient admin = client(*device);
  std::string plates;
  for (int i = 0; i < 21; ++i) plates += (i ? "," : "") + std::string("PL") + std::to_string(i);
  const Answer many = admin.put(
      "/api/dir/create", R"({"users":[{"name":"Many","access":{"licensePlates":")" + plates +
                             R"("}},{"name":"Long","access":{"licensePlates":"ABCDEFGHIJK"}}]})");
  ASSERT_TRUE(many.success());
  const auto users = many.result()->getArray("users");
  for (unsigned i = 0; i < 2; ++i) {
    const auto error = users->getObject(i)->getArray("errors")->getObject(0);
    EXPECT_EQ(error->getValue<std::string>("code"), "EDIR_FIELD_VALUE_ERROR");
    EXPECT_EQ(error->getValue<std::string>("param"), "access.licensePlates");
  }
  EXPECT_TRUE(device->directoryEntries().empty());

  // The same as one 2N error 12 naming the field, for clients written against that reading.
  auto opts = options();
  opts.directory.errorStyle = DirectoryErrorStyle::Envelope;
  auto strict = startDevice(opts);
  DeviceClient strictAdmin = client(*strict);
  const Answer refused = strictAdmin.put(
      "/api/dir/create", R"({"users":[{"access":{"licensePlates":")" + plates + R"("}}]})");
  EXPECT_EQ(refused.errorCode(), 12);
  EXPECT_EQ(refused.errorParam(), "access.licensePlates");
  EXPECT_THROW(strict->addUser({.plates = {"ABCDEFGHIJK"}}), TwoNError);
}

TEST_F(TwoNSimulatorTest, DirectoryTakesTheJsonAsAMultipartBlob) {
  auto device = startDevice();
  DeviceClient admin = client(*device);
  const std::string boundary = "sim-boundary";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"blob-dir-new\"; "
                           "filename=\"blob-dir-new\"\r\nContent-Type: application/json\r\n\r\n"
                           R"({"users":[{"name":"Multi","access":{"licensePlates":"MP1"}}]})"
                           "\r\n--" +
                           boundary + "--\r\n";
  const Answer answer =
      admin.send("PUT", "/api/dir/create", body, "multipart/form-data; boundary=" + boundary);
  ASSERT_TRUE(answer.success()) << answer.body;
  EXPECT_TRUE(device->checkPlate("MP1", 0).userFound);
}

// --- Switches, grantaccess, faults -------------------------------------------------------------

TEST_F(TwoNSimulatorTest, SwitchControlAndGrantAccess) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  ASSERT_TRUE(gateway.get("/api/switch/ctrl?switch=2&action=on").success());
  EXPECT_TRUE(device->switchActive(2));
  // Parameters may also come as a form body.
  ASSERT_TRUE(gateway
                  .send("POST", "/api/switch/ctrl", "switch=2&action=off",
                        "application/x-www-form-urlencoded")
                  .success());
  ASSERT_TRUE(gateway.get("/api/switch/ctrl?switch=3&action=trigger").success());
  EXPECT_TRUE(waitFor([&] { return !device->switchActive(3); }));
  const auto switched = device->events("SwitchStateChanged");
  ASSERT_EQ(switched.size(), 4u);
  EXPECT_EQ(switched[0].params()->getValue<int>("switch"), 2);
  EXPECT_TRUE(switched[0].params()->getValue<bool>("state"));
  EXPECT_EQ(switched[0].params()->getValue<std::string>("originator"), "api");
  EXPECT_EQ(gateway.get("/api/switch/ctrl?switch=9&action=on").errorCode(), 12);
  EXPECT_EQ(gateway.get("/api/switch/ctrl?switch=1&action=dance").errorCode(), 12);
  EXPECT_EQ(gateway.get("/api/switch/ctrl?switch=1").errorCode(), 11);
  ASSERT_TRUE(gateway.get("/api/switch/ctrl?switch=1&action=lock").success());
  EXPECT_EQ(gateway.get("/api/switch/ctrl?switch=1&action=on").errorCode(), 14);

  const std::string uuid = device->addUser({.name = "Alice", .exitEnabled = false});
  const Answer granted = gateway.get("/api/accesspoint/grantaccess?id=0&user=" + uuid);
  EXPECT_TRUE(granted.result()->getValue<bool>("accessGranted"));
  const Answer exit = gateway.get("/api/accesspoint/grantaccess?id=1&user=" + uuid);
  EXPECT_FALSE(exit.result()->getValue<bool>("accessGranted"));
  EXPECT_EQ(exit.result()->getValue<std::string>("reason"), "invalidAp");
  const Answer nobody = gateway.get("/api/accesspoint/grantaccess?id=0&user=" + newUuid());
  EXPECT_EQ(nobody.result()->getValue<std::string>("reason"), "invalidCredential");
  EXPECT_EQ(device->events("ApiAccessRequested").size(), 3u);
}

TEST_F(TwoNSimulatorTest, FaultInjection) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  ASSERT_EQ(gateway.get("/api/system/info").status, 200);

  device->failNext(2, 503);
  EXPECT_EQ(gateway.get("/api/system/info").status, 503);
  EXPECT_EQ(gateway.get("/api/system/info").status, 503);
  EXPECT_EQ(gateway.get("/api/system/info").status, 200);

  device->answerError("/api/lpr/licenseplate", 14, 1);
  const Answer failed = postRead(gateway, "AB1");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(failed.errorCode(), 14);
  EXPECT_TRUE(postRead(gateway, "AB1").success());
  device->answerError("/api/log/subscribe", 4);
  EXPECT_EQ(gateway.get("/api/log/subscribe").errorCode(), 4);
  EXPECT_EQ(gateway.get("/api/log/subscribe").errorCode(), 4);
  device->answerError("/api/log/subscribe", 0);
  EXPECT_TRUE(gateway.get("/api/log/subscribe").success());

  device->setDelay(300ms);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(gateway.get("/api/system/info").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  device->setDelay(0ms);

  device->dropNext(1);
  DeviceClient dropped = client(*device);
  EXPECT_THROW(dropped.get("/api/system/info"), Poco::Exception);

  const int port = device->boundPort();
  device->stop();
  EXPECT_THROW(httpsRequest(port, device->caFile(), "GET", "/api/system/info", {}, {},
                            ClientAuth::Digest, kUser, kPassword),
               Poco::Exception);
  device->start();
  EXPECT_EQ(device->boundPort(), port);
  EXPECT_EQ(httpsRequest(port, device->caFile(), "GET", "/api/system/info", {}, {},
                         ClientAuth::Digest, kUser, kPassword)
                .status,
            200);
}

TEST_F(TwoNSimulatorTest, UnknownPathAndMethod) {
  auto device = startDevice();
  DeviceClient gateway = client(*device);
  const Answer path = gateway.get("/api/nothing/here");
  EXPECT_EQ(path.status, 200);
  EXPECT_EQ(path.errorCode(), 2);
  EXPECT_EQ(gateway.send("DELETE", "/api/system/info").errorCode(), 3);
  EXPECT_GE(device->requestCount("/api/nothing/here"), 1u);
}

TEST_F(TwoNSimulatorTest, PlainHttpWhenConfigured) {
  auto opts = options();
  opts.tls = false;
  auto device = startDevice(opts);
  const HttpAnswer answer = httpRequest(device->boundPort(), "GET", "/api/system/info", {}, {},
                                        ClientAuth::Digest, kUser, kPassword);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(device->baseUrl(), "http://127.0.0.1:" + std::to_string(device->boundPort()));
}

TEST_F(TwoNSimulatorTest, GeneratedCertificateIsItsOwnTrustAnchor) {
  TwoNSimulatorOptions opts;
  opts.username = kUser;
  opts.password = kPassword;
  TwoNSimulator device(opts);
  device.start();
  EXPECT_EQ(device.certificateSha256().size(), 64u);
  EXPECT_EQ(device.certificateSha256(), certificateSha256(device.caFile()));
  const HttpAnswer answer =
      httpsRequest(device.boundPort(), device.caFile(), "GET", "/api/system/info", {}, {},
                   ClientAuth::Digest, kUser, kPassword);
  EXPECT_EQ(answer.status, 200);
  // The test CA does not vouch for it.
  EXPECT_THROW(httpsRequest(device.boundPort(), testPki().caFile, "GET", "/api/system/info", {}, {},
                            ClientAuth::Digest, kUser, kPassword),
               Poco::Exception);
}

}  // namespace
}  // namespace lpr::testing
