// The gateway binary end to end: 2N-format reads over HTTP in, MQTT events out, through the
// durable store, with a real mosquitto that the tests stop, and a gateway that they kill.
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/RecursiveDirectoryIterator.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "e2e_fixture.h"
#include "test_pki.h"

namespace lpr::testing {
namespace {

std::string uuidFor(int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012d", i);
  return buf;
}

std::string plateFor(int i) { return "E2E" + std::to_string(1000 + i); }

TEST_F(GatewayE2E, EveryPostedReadBecomesOneMqttEventWithTheRightFields) {
  gateway_.start();
  const int n = 50;
  for (int i = 0; i < n; ++i) {
    auto a = postRead(uuidFor(i), plateFor(i), i % 2);
    ASSERT_EQ(a.status, 200);
    ASSERT_EQ(a.body, R"({"success":true})");
  }
  // Each event also goes to its gate's topics: wait for the main topic's.
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().size() == static_cast<std::size_t>(n); }));
  std::size_t total = 0;
  auto events = eventsByUuid(&total);
  EXPECT_EQ(total, static_cast<std::size_t>(n));
  ASSERT_EQ(events.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto e = events.at(uuidFor(i));
    EXPECT_EQ(e->getValue<std::string>("event"), "LicensePlateRecognized");
    EXPECT_EQ(e->getValue<std::string>("gateway_id"), "test-gw");
    EXPECT_EQ(e->getValue<std::string>("source"), "cam");
    EXPECT_EQ(e->getValue<std::string>("plate"), plateFor(i));
    EXPECT_EQ(e->getValue<int>("access_point"), i % 2);
    EXPECT_EQ(e->getValue<std::string>("direction"), "in");
    EXPECT_EQ(e->getValue<std::string>("vehicle_id"), "1");
    EXPECT_FALSE(e->getValue<std::string>("id").empty());
    EXPECT_FALSE(e->getValue<std::string>("captured_at").empty());
  }
  auto status = collector_->messages("lpr/test-gw/status");
  ASSERT_FALSE(status.empty());
  EXPECT_EQ(status.front().payload, "online");
  EXPECT_EQ(metricValue(R"(lpr_events_in_total{plugin="cam"})"), n);
  EXPECT_TRUE(waitFor([&] { return metricValue(R"(lpr_events_out_total{plugin="bms"})") == n; }));
}

TEST_F(GatewayE2E, AReSentReadMakesNoSecondEvent) {
  gateway_.start();
  ASSERT_EQ(postRead(uuidFor(1), "DUP111").body, R"({"success":true})");
  ASSERT_EQ(postRead(uuidFor(1), "DUP111").body, R"({"success":true})");
  ASSERT_EQ(postRead(uuidFor(2), "OTHER2").body, R"({"success":true})");
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().count(uuidFor(2)) == 1; }));
  std::size_t total = 0;
  eventsByUuid(&total);
  EXPECT_EQ(total, 2u);
  EXPECT_EQ(metricValue(R"(lpr_events_duplicate_total{plugin="cam"})"), 1);
}

TEST_F(GatewayE2E, BrokerStoppedMidStreamThenRestartedDeliversAllAndResendsOnlyWhatWasInFlight) {
  gateway_.start();
  const int n = 120;
  std::atomic<int> answered{0};
  std::thread poster([&] {
    for (int i = 0; i < n; ++i) {
      if (postRead(uuidFor(i), plateFor(i)).body == R"({"success":true})") ++answered;
    }
  });
  ASSERT_TRUE(waitFor([&] { return answered >= 30; }));
  broker_->stop();  // reads keep being accepted and stored while the broker is away
  ASSERT_TRUE(waitFor([&] { return answered >= 80; }, std::chrono::seconds(30)));
  broker_->start();
  poster.join();
  EXPECT_EQ(answered.load(), n);
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().size() == static_cast<std::size_t>(n); },
                      std::chrono::seconds(30)))
      << "got " << eventsByUuid().size();
  // The broker may resend to the persistent subscriber what it had not seen acknowledged
  // before it stopped; those copies carry the MQTT DUP flag. A publish the broker took but
  // whose PUBACK died with it is sent again after the reconnect (QoS 1 is at least once): such
  // copies can only be of events that were in flight (max_inflight, 64) when it stopped, and
  // a consumer drops them by the event's id.
  std::map<std::string, int> published;
  for (const auto& m : collector_->messages(eventTopic_)) {
    if (m.duplicate) continue;
    Poco::JSON::Parser parser;
    auto obj = parser.parse(m.payload).extract<Poco::JSON::Object::Ptr>();
    ++published[obj->getValue<std::string>("source_event_id")];
  }
  EXPECT_EQ(published.size(), static_cast<std::size_t>(n));
  int resent = 0;
  for (const auto& [id, count] : published) {
    EXPECT_LE(count, 2) << id << " published " << count << " times";
    resent += count - 1;
  }
  EXPECT_LE(resent, 64) << "more copies than could have been in flight when the broker stopped";
}

TEST_F(GatewayE2E, GatewayKilledMidStreamPublishesEveryAnsweredReadAfterRestart) {
  gateway_.start();
  std::set<std::string> acknowledged;
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::thread poster([&] {
    for (int i = 0; !stop; ++i) {
      HttpAnswer a;
      try {
        a = postRead(uuidFor(i), plateFor(i));
      } catch (...) {
        continue;  // connection refused or reset while the gateway is down
      }
      if (a.body == R"({"success":true})") {
        std::lock_guard lock(mutex);
        acknowledged.insert(uuidFor(i));
      }
    }
  });
  // Stop the broker so answered reads pile up in the store, then kill -9 mid-stream.
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(mutex);
    return acknowledged.size() >= 20;
  }));
  broker_->stop();
  ASSERT_TRUE(waitFor(
      [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size() >= 100;
      },
      std::chrono::seconds(30)));
  gateway_.kill();
  stop = true;
  poster.join();
  broker_->start();
  gateway_.start();
  std::set<std::string> expected;
  {
    std::lock_guard lock(mutex);
    expected = acknowledged;
  }
  ASSERT_TRUE(waitFor(
      [&] {
        auto got = eventsByUuid();
        for (const auto& u : expected) {
          if (!got.count(u)) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
}

TEST_F(GatewayE2E, SigtermStopsCleanlyAndKeepsWhatWasAccepted) {
  broker_->stop();
  gateway_.start();
  for (int i = 0; i < 10; ++i) ASSERT_EQ(postRead(uuidFor(i), plateFor(i)).status, 200);
  EXPECT_EQ(gateway_.stop(), 0);
  broker_->start();
  gateway_.start();
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().size() == 10; }, std::chrono::seconds(20)));
}

struct BadCase {
  std::string name;
  std::string body;
  int code;
  std::string param;
};

TEST_F(GatewayE2E, BadInputGetsThe2NErrorIsCountedAndHarmsNothing) {
  gateway_.start();
  std::string bigImage(300 * 1024, 'A');
  std::vector<BadCase> cases{
      {"malformed json", R"({"lprUuid": "x", )", 12, ""},
      {"not an object", R"([1,2,3])", 12, ""},
      {"missing plateText", R"({"lprUuid":")" + uuidFor(1) + R"(","lprID":1,"accessPoint":0})", 11,
       "plateText"},
      {"missing lprUuid", R"({"lprID":1,"accessPoint":0,"plateText":"AB1"})", 11, "lprUuid"},
      {"wrong type accessPoint",
       R"({"lprUuid":")" + uuidFor(2) + R"(","lprID":1,"accessPoint":[0],"plateText":"AB1"})", 12,
       "accessPoint"},
      {"accessPoint out of range",
       R"({"lprUuid":")" + uuidFor(3) + R"(","lprID":1,"accessPoint":7,"plateText":"AB1"})", 12,
       "accessPoint"},
      {"13-character plate", twoNRead(uuidFor(4), "ABCDEFGHIJKLM"), 12, "plateText"},
      {"oversize image", twoNRead(uuidFor(5), "AB1", 0, 1, 2, bigImage), 13, "plateImage"},
      {"bad base64", twoNRead(uuidFor(6), "AB1", 0, 1, 2, "@@@@not-base64@@@@"), 12, "plateImage"},
  };
  for (const auto& c : cases) {
    auto a = httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate", c.body,
                         "application/json", ClientAuth::Basic, "camera", "pa55word");
    EXPECT_EQ(a.status, 200) << c.name;
    Poco::JSON::Parser parser;
    auto obj = parser.parse(a.body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(obj->getValue<bool>("success")) << c.name;
    auto err = obj->getObject("error");
    ASSERT_TRUE(err) << c.name << ": " << a.body;
    EXPECT_EQ(err->getValue<int>("code"), c.code) << c.name << ": " << a.body;
    if (!c.param.empty()) {
      EXPECT_EQ(err->optValue<std::string>("param", ""), c.param) << c.name;
    }
  }
  // Wrong and missing credentials: 401 with a challenge and 2N error 9.
  auto wrong =
      httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate", twoNRead(uuidFor(7), "AB1"),
                  "application/json", ClientAuth::Basic, "camera", "nope");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("\"code\":9"), std::string::npos);
  EXPECT_FALSE(wrong.wwwAuthenticate.empty());
  auto none =
      httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate", twoNRead(uuidFor(8), "AB1"));
  EXPECT_EQ(none.status, 401);

  // Still alive, nothing stored from the bad requests, and a good read goes through.
  ASSERT_TRUE(gateway_.running());
  EXPECT_EQ(metricValue(R"(lpr_events_in_total{plugin="cam"})"), 0);
  auto good =
      httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate", twoNRead(uuidFor(9), "GOOD1"),
                  "application/json", ClientAuth::Digest, "camera", "pa55word");
  EXPECT_EQ(good.body, R"({"success":true})");
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().count(uuidFor(9)) == 1; }));
  std::size_t total = 0;
  eventsByUuid(&total);
  EXPECT_EQ(total, 1u);

  std::string m = metrics();
  EXPECT_NE(m.find("lpr_input_errors_total"), std::string::npos);
  double counted = 0;
  std::istringstream in(m);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("lpr_input_errors_total{", 0) == 0)
      counted += std::stod(line.substr(line.rfind(' ')));
  }
  // Every bad body and the wrong password count as input errors; a request without credentials
  // is the first half of the Digest exchange, so it shows only as an HTTP 401.
  EXPECT_EQ(counted, cases.size() + 1) << m;
  // 401s: the wrong password, the missing credentials, and the challenge before the Digest read.
  EXPECT_EQ(metricValue(R"(lpr_http_requests_total{plugin="cam",code="401"})"), 3) << m;
}

TEST_F(GatewayE2E, HealthzReportsEveryPlugin) {
  gateway_.start();
  ASSERT_TRUE(waitFor([&] {
    auto h = httpRequest(gateway_.port(), "GET", "/healthz", {}, {});
    return h.status == 200 && h.body.find(R"("status":"ok")") != std::string::npos;
  }));
  auto h = httpRequest(gateway_.port(), "GET", "/healthz", {}, {});
  Poco::JSON::Parser parser;
  auto obj = parser.parse(h.body).extract<Poco::JSON::Object::Ptr>();
  auto plugins = obj->getObject("plugins");
  ASSERT_TRUE(plugins);
  EXPECT_EQ(plugins->getObject("cam")->getValue<std::string>("state"), "ok");
  EXPECT_EQ(plugins->getObject("bms")->getValue<std::string>("state"), "ok");
  broker_->stop();
  EXPECT_TRUE(waitFor([&] {
    auto hh = httpRequest(gateway_.port(), "GET", "/healthz", {}, {});
    return hh.body.find(R"("state":"degraded")") != std::string::npos;
  }));
}

TEST_F(GatewayE2E, BrokerDownAtBootIsRetriedNotFatal) {
  broker_->stop();
  gateway_.start();
  ASSERT_EQ(postRead(uuidFor(1), "BOOT1").body, R"({"success":true})");
  broker_->start();
  EXPECT_TRUE(
      waitFor([&] { return eventsByUuid().count(uuidFor(1)) == 1; }, std::chrono::seconds(30)));
}

}  // namespace
}  // namespace lpr::testing

namespace lpr::testing {
namespace {

// A 1x1 JPEG, base64.
const char* kTinyJpeg =
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////"
    "////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";

TEST_F(GatewayE2E, TheSnapshotIsSpooledToAFileAndLinkedFromTheEvent) {
  gateway_.configure(baseConfig() + "plugin.bms.snapshot_base_url = https://gw.example:8080\n");
  gateway_.start();
  auto a = httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate",
                       twoNRead(uuidFor(1), "IMG1", 0, 1, 2, kTinyJpeg), "application/json",
                       ClientAuth::Basic, "camera", "pa55word");
  ASSERT_EQ(a.body, R"({"success":true})");
  ASSERT_TRUE(waitFor([&] { return eventsByUuid().count(uuidFor(1)) == 1; }));
  auto e = eventsByUuid().at(uuidFor(1));
  // The spool path stays on the box; consumers get a link to the management API's route.
  EXPECT_FALSE(e->has("image"));
  EXPECT_EQ(e->getValue<std::string>("snapshot_url"),
            "https://gw.example:8080/api/v1/snapshots/" + e->getValue<std::string>("id"));
  std::vector<std::string> spooled;
  for (Poco::RecursiveDirectoryIterator it(gateway_.dir()), end; it != end; ++it) {
    if (it->isFile() && it.path().getExtension() == "jpg") spooled.push_back(it.path().toString());
  }
  ASSERT_EQ(spooled.size(), 1u);
  std::string bytes = readFile(spooled.front());
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0xFF);  // JPEG SOI
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0xD8);
}

TEST_F(GatewayE2E, AnIdleKeepAliveConnectionDoesNotHoldUpSigterm) {
  gateway_.start();
  Poco::Net::HTTPClientSession idle("127.0.0.1", static_cast<Poco::UInt16>(gateway_.port()));
  idle.setKeepAlive(true);
  Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  idle.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(idle.receiveResponse(response), body);
  ASSERT_EQ(response.getStatus(), 200);
  ASSERT_TRUE(idle.connected());
  // The connection stays open and idle; the gateway still stops (bounded grace), exit code 0.
  EXPECT_EQ(gateway_.stop(), 0);
}

class GatewayTlsE2E : public GatewayE2E {};

TEST_F(GatewayTlsE2E, TheServerSpeaksHttpsWhenConfigured) {
  TestPki pki = makeTestPki(gateway_.dir());
  gateway_.configure(baseConfig() + "http.tls.enabled = true\nhttp.tls.cert_file = " +
                     pki.certFile + "\nhttp.tls.key_file = " + pki.keyFile + "\n");
  gateway_.start();
  auto a = httpsRequest(gateway_.port(), pki.caFile, "POST", "/api/lpr/licenseplate",
                        twoNRead(uuidFor(1), "TLS1"), "application/json", ClientAuth::Digest,
                        "camera", "pa55word");
  EXPECT_EQ(a.body, R"({"success":true})");
  EXPECT_TRUE(waitFor([&] { return eventsByUuid().count(uuidFor(1)) == 1; }));
  // Plain HTTP on the TLS port gets no answer.
  EXPECT_THROW(httpRequest(gateway_.port(), "GET", "/healthz", {}, {}), std::exception);
}

}  // namespace
}  // namespace lpr::testing
