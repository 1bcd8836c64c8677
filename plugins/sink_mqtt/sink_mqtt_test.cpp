#include "sink_mqtt.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <sstream>

#include "fake_plugin_context.h"
#include "metrics/metrics.h"
#include "mosquitto_broker.h"
#include "mqtt_collector.h"
#include "test_env.h"

namespace lpr::plugins::sink_mqtt {
namespace {

using lpr::testing::FakePluginContext;
using lpr::testing::MosquittoBroker;
using lpr::testing::MosquittoOptions;
using lpr::testing::MqttCollector;
using lpr::testing::MqttCollectorOptions;
using lpr::testing::waitFor;
using namespace std::chrono_literals;

MosquittoOptions passwordOnly() {
  MosquittoOptions options;
  options.anonymousListener = false;
  options.passwordListener = true;
  return options;
}

MosquittoOptions tlsOnly() {
  MosquittoOptions options;
  options.anonymousListener = false;
  options.tlsListener = true;
  return options;
}

constexpr const char* kEventTopic = "lpr/gw-test/event/LicensePlateRecognized";
constexpr const char* kStatusTopic = "lpr/gw-test/status";

PlateEvent makeEvent(int n) {
  PlateEvent event;
  event.seq = n;
  event.id = "evt-" + std::to_string(n);
  event.sourceId = "gate1";
  event.sourceEventId = "src-" + std::to_string(n);
  event.vehicleId = "veh-" + std::to_string(n);
  event.plateRaw = "ab " + std::to_string(n) + " cd";
  event.plate = "AB" + std::to_string(n) + "CD";
  event.country = "CZ";
  event.confidence = 0.9;
  event.direction = Direction::In;
  event.capturedAt = TimePoint(std::chrono::milliseconds(1795552630000 + n));
  event.receivedAt = event.capturedAt + 5ms;
  return event;
}

std::vector<PlateEvent> makeEvents(int from, int count) {
  std::vector<PlateEvent> events;
  for (int i = from; i < from + count; ++i) events.push_back(makeEvent(i));
  return events;
}

Poco::JSON::Object::Ptr parse(const std::string& payload) {
  return Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
}

std::set<std::string> eventIds(const MqttCollector& collector) {
  std::set<std::string> ids;
  for (const auto& message : collector.messages(kEventTopic)) {
    ids.insert(parse(message.payload)->getValue<std::string>("id"));
  }
  return ids;
}

// The retained status as a fresh subscriber sees it.
std::string retainedStatus(const std::string& uri, const std::string& clientId) {
  MqttCollector probe({.uri = uri, .topicFilter = kStatusTopic, .clientId = clientId});
  probe.start();
  if (!probe.waitForCount(1, 5s)) return "<none>";
  auto message = probe.messages().front();
  return message.retained ? message.payload : "<not retained>";
}

bool allOk(const std::vector<Delivery>& deliveries) {
  for (const auto& d : deliveries) {
    if (d.kind != Delivery::Kind::Ok) return false;
  }
  return true;
}

std::string describeOf(const SinkMqtt& sink) {
  std::ostringstream out;
  sink.describe(out);
  return out.str();
}

class SinkMqttConfigTest : public ::testing::Test {
 protected:
  FakePluginContext ctx_{"test"};
  SinkMqtt sink_;

  void configure() {
    sink_.configure(ctx_);
    ctx_.config().markKnown({"type", "enabled", "on_start_error", "log_level"});
    ctx_.config().reportUnknownKeys();
  }
};

TEST_F(SinkMqttConfigTest, EmptyConfigGetsDefaults) {
  configure();
  EXPECT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
  const Settings& s = sink_.settings();
  EXPECT_EQ(s.broker, "tcp://127.0.0.1:1883");
  EXPECT_EQ(s.clientId, "lpr-gateway-gw-test-test");
  EXPECT_EQ(s.message.topicPrefix, "lpr");
  EXPECT_EQ(s.qos, 1);
  EXPECT_TRUE(s.verify);
  EXPECT_EQ(s.keepaliveS, 30);
  EXPECT_EQ(s.connectTimeoutMs, 5000);
  EXPECT_EQ(s.publishTimeoutMs, 5000);
  EXPECT_FALSE(s.message.maskPlate);
  EXPECT_EQ(s.maxInflight, 64);
  EXPECT_EQ(sink_.maxBatch(), 64u);
  EXPECT_EQ(s.message.snapshotBaseUrl, "");
  EXPECT_FALSE(s.gateCommands);
  EXPECT_FALSE(s.ha.discovery);
  EXPECT_EQ(s.ha.prefix, "homeassistant");
  EXPECT_EQ(s.ha.presenceHoldS, 30);
  EXPECT_EQ(s.ha.gates, (std::vector<int>{0, 1}));
}

TEST(SinkMqttSample, SamplePropertiesConfigureCleanly) {
  FakePluginContext ctx("bms");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.bms.type", ""), "sink_mqtt");
  SinkMqtt sink;
  sink.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(sink.settings().clientId, "lpr-gateway-gw-test-bms");
}

TEST_F(SinkMqttConfigTest, BadValuesNameTheirKey) {
  ctx_.set("broker", "http://127.0.0.1:1883")
      .set("qos", "3")
      .set("topic_prefix", "lpr/#")
      .set("max_inflight", "0")
      .set("tls.verify", "maybe")
      .set("bogus_key", "1")
      .set("snapshot_base_url", "ftp://gw")
      .set("ha.prefix", "home/#")
      .set("ha.gates", "0,x")
      .set("ha.presence_hold_s", "0");
  configure();
  const std::string text = ctx_.problemText();
  EXPECT_NE(text.find("plugin.test.broker"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.qos"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.topic_prefix"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.max_inflight"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.tls.verify"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.bogus_key"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.snapshot_base_url"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.ha.prefix"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.ha.gates"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.test.ha.presence_hold_s"), std::string::npos) << text;
}

TEST_F(SinkMqttConfigTest, TlsFilesNeedAnSslBroker) {
  ctx_.set("broker", "tcp://127.0.0.1:8883").set("tls.ca_file", "/etc/ssl/ca.crt");
  configure();
  EXPECT_NE(ctx_.problemText().find("plugin.test.broker"), std::string::npos) << ctx_.problemText();
}

TEST_F(SinkMqttConfigTest, DescribeRedactsPassword) {
  ctx_.set("username", "edge").set("password", "hunter2-secret");
  configure();
  const std::string text = describeOf(sink_);
  EXPECT_EQ(text.find("hunter2-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("password = <redacted>"), std::string::npos) << text;
  EXPECT_NE(text.find("username = edge"), std::string::npos) << text;
}

TEST_F(SinkMqttConfigTest, BrokerDownIsRetryLaterNotFatal) {
  ctx_.set("broker", "tcp://127.0.0.1:" + std::to_string(lpr::testing::freeLoopbackPort()))
      .set("connect_timeout_ms", "1000");
  configure();
  StartResult result = sink_.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater) << result.why;
  EXPECT_NE(result.why.find("127.0.0.1"), std::string::npos) << result.why;
  EXPECT_EQ(sink_.health().state, Health::State::Degraded);
  EXPECT_EQ(sink_.deliver(makeEvent(1)).kind, Delivery::Kind::Retry);
  sink_.stop();  // safe after a failed start
}

// A broker with an anonymous listener, a persistent collector on lpr/#, and the sink.
class SinkMqttBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    collector_ = std::make_unique<MqttCollector>(
        MqttCollectorOptions{.uri = broker_.uri(), .topicFilter = "lpr/#"});
    collector_->start();
    ctx_.set("broker", broker_.uri()).set("publish_timeout_ms", "2000");
  }

  void startSink() {
    sink_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    StartResult result = sink_.start();
    ASSERT_EQ(result.kind, StartResult::Kind::Ok) << result.why << "\n" << broker_.log();
  }

  std::string metrics() { return ctx_.metrics().renderPrometheus(); }

  MosquittoBroker broker_;
  std::unique_ptr<MqttCollector> collector_;
  FakePluginContext ctx_{"test"};
  SinkMqtt sink_;
};

TEST_F(SinkMqttBrokerTest, DeliversTwentyEventsWithAllFields) {
  startSink();
  auto events = makeEvents(1, 20);
  auto deliveries = sink_.deliverBatch(events);
  ASSERT_EQ(deliveries.size(), 20u);
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    EXPECT_EQ(deliveries[i].kind, Delivery::Kind::Ok) << i << ": " << deliveries[i].why;
  }
  ASSERT_TRUE(waitFor([&] { return collector_->messages(kEventTopic).size() >= 20; }))
      << collector_->count();
  auto messages = collector_->messages(kEventTopic);
  ASSERT_EQ(messages.size(), 20u);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const PlateEvent& event = events[i];
    auto json = parse(messages[i].payload);
    EXPECT_FALSE(messages[i].retained);
    EXPECT_EQ(messages[i].qos, 1);
    EXPECT_EQ(json->getValue<std::string>("event"), "LicensePlateRecognized");
    EXPECT_EQ(json->getValue<std::string>("gateway_id"), "gw-test");
    EXPECT_EQ(json->getValue<std::string>("id"), event.id);
    EXPECT_EQ(json->getValue<std::string>("source"), "gate1");
    EXPECT_EQ(json->getValue<std::string>("source_event_id"), event.sourceEventId);
    EXPECT_EQ(json->getValue<std::string>("vehicle_id"), event.vehicleId);
    EXPECT_EQ(json->getValue<std::string>("plate"), event.plate);
    EXPECT_EQ(json->getValue<std::string>("plate_raw"), event.plateRaw);
    EXPECT_EQ(json->getValue<std::string>("country"), "CZ");
    EXPECT_EQ(json->getValue<std::string>("direction"), "in");
    EXPECT_EQ(json->getValue<std::string>("captured_at"), formatUtc(event.capturedAt));
    EXPECT_TRUE(json->isNull("decision"));
  }
  EXPECT_EQ(sink_.health().state, Health::State::Ok);
  EXPECT_NE(metrics().find("lpr_mqtt_connected{plugin=\"test\"} 1"), std::string::npos)
      << metrics();
}

TEST_F(SinkMqttBrokerTest, SingleDeliverIsABatchOfOne) {
  startSink();
  Delivery delivery = sink_.deliver(makeEvent(7));
  EXPECT_EQ(delivery.kind, Delivery::Kind::Ok) << delivery.why;
  ASSERT_TRUE(waitFor([&] { return eventIds(*collector_).count("evt-7") == 1; }));
}

TEST_F(SinkMqttBrokerTest, MaskedPlatesLeaveTheGatewayMasked) {
  ctx_.set("mask_plate", "true");
  startSink();
  PlateEvent event = makeEvent(1);
  event.plate = "AB123CD";
  ASSERT_EQ(sink_.deliver(event).kind, Delivery::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return collector_->messages(kEventTopic).size() == 1; }));
  auto json = parse(collector_->messages(kEventTopic).front().payload);
  EXPECT_EQ(json->getValue<std::string>("plate"), "AB***CD");
}

TEST_F(SinkMqttBrokerTest, StatusIsRetainedOnlineThenOfflineAfterStop) {
  startSink();
  EXPECT_EQ(retainedStatus(broker_.uri(), "probe-1"), "online");
  sink_.stop();
  EXPECT_EQ(retainedStatus(broker_.uri(), "probe-2"), "offline");
  EXPECT_NE(metrics().find("lpr_mqtt_connected{plugin=\"test\"} 0"), std::string::npos)
      << metrics();
  sink_.stop();  // idempotent
  // start() after stop() connects again.
  ASSERT_EQ(sink_.start().kind, StartResult::Kind::Ok);
  EXPECT_EQ(retainedStatus(broker_.uri(), "probe-3"), "online");
}

TEST_F(SinkMqttBrokerTest, BrokerStopMeansRetryAndRestartDeliversAgain) {
  startSink();
  ASSERT_TRUE(allOk(sink_.deliverBatch(makeEvents(1, 5))));

  broker_.stop();
  // Whatever paho has noticed yet, nothing may be counted as delivered while the broker is down.
  auto started = std::chrono::steady_clock::now();
  Delivery down = sink_.deliver(makeEvent(6));
  auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  EXPECT_EQ(down.kind, Delivery::Kind::Retry);
  std::cout << "[ observed ] deliver with broker stopped: " << tookMs << " ms, why=\"" << down.why
            << "\"\n";
  ASSERT_TRUE(waitFor([&] { return sink_.health().state == Health::State::Degraded; }, 5s));
  EXPECT_NE(sink_.health().detail.find("broker unreachable"), std::string::npos);
  EXPECT_NE(metrics().find("lpr_mqtt_connected{plugin=\"test\"} 0"), std::string::npos);
  EXPECT_NE(metrics().find("lpr_mqtt_publish_errors_total{plugin=\"test\"}"), std::string::npos);
  Delivery stillDown = sink_.deliver(makeEvent(6));
  EXPECT_EQ(stillDown.kind, Delivery::Kind::Retry);
  EXPECT_GT(stillDown.after.count(), 0);

  broker_.start();
  // The host would retry after `after`; here we poll until the reconnect thread is through.
  ASSERT_TRUE(
      waitFor([&] { return sink_.deliver(makeEvent(6)).kind == Delivery::Kind::Ok; }, 20s, 50ms));
  ASSERT_TRUE(allOk(sink_.deliverBatch(makeEvents(7, 4))));
  EXPECT_EQ(sink_.health().state, Health::State::Ok);
  EXPECT_EQ(retainedStatus(broker_.uri(), "probe-after-restart"), "online");

  // The collector's session survived the restart: it ends up with all ten events.
  std::set<std::string> expected;
  for (int i = 1; i <= 10; ++i) expected.insert("evt-" + std::to_string(i));
  ASSERT_TRUE(waitFor([&] { return eventIds(*collector_) == expected; }, 20s))
      << collector_->messages(kEventTopic).size() << " messages\n"
      << broker_.log();
}

TEST_F(SinkMqttBrokerTest, BrokerKilledRecoversToo) {
  // SIGKILL: the broker saves nothing, so the collector's session is gone as well and it has
  // to subscribe again by itself.
  startSink();
  ASSERT_EQ(sink_.deliver(makeEvent(1)).kind, Delivery::Kind::Ok);
  broker_.kill();
  EXPECT_EQ(sink_.deliver(makeEvent(2)).kind, Delivery::Kind::Retry);
  broker_.start();
  ASSERT_TRUE(
      waitFor([&] { return sink_.deliver(makeEvent(2)).kind == Delivery::Kind::Ok; }, 20s, 50ms));
  ASSERT_TRUE(waitFor(
      [&] {
        if (eventIds(*collector_).count("evt-3")) return true;
        // Until the collector is subscribed again, what the sink publishes reaches nobody.
        sink_.deliver(makeEvent(3));
        return false;
      },
      20s, 100ms))
      << broker_.log();
}

TEST_F(SinkMqttBrokerTest, ConfirmedMeansTheBrokerHasItAndRetryIsNeverSentLate) {
  // Stop the broker while a large batch is in flight. Whatever the sink reports Ok must have
  // reached the broker (and, thanks to its persistence, the collector after the restart).
  // Whatever was not yet on the wire (refused by paho, or queued behind the in-flight window)
  // is Retry and must never be published by paho on its own after the reconnect: the host
  // sends it again, so that would be a duplicate.
  ctx_.set("max_inflight", "500");
  startSink();
  auto events = makeEvents(1, 500);
  auto pending = std::async(std::launch::async, [&] { return sink_.deliverBatch(events); });
  ASSERT_TRUE(waitFor([&] { return collector_->messages(kEventTopic).size() >= 20; }));
  broker_.stop();
  auto stoppedAt = std::chrono::steady_clock::now();
  auto deliveries = pending.get();
  auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - stoppedAt)
                    .count();

  std::set<std::string> confirmed;
  std::set<std::string> neverSent;
  std::map<std::string, int> retryReasons;
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& d = deliveries[i];
    if (d.kind == Delivery::Kind::Ok) {
      confirmed.insert(events[i].id);
      continue;
    }
    EXPECT_EQ(d.kind, Delivery::Kind::Retry) << d.why;
    ++retryReasons[d.why];
    // In-flight publishes fail with -11 when the link drops and may have reached the broker;
    // refused (-3) or still-queued (timed out after the loss) ones cannot have.
    if (d.why.find("[-3]") != std::string::npos || d.why.find("no confirmation") == 0) {
      neverSent.insert(events[i].id);
    }
  }
  std::cout << "[ observed ] broker stopped mid-batch: " << confirmed.size()
            << " Ok; batch returned " << tookMs << " ms after the stop\n";
  for (const auto& [why, n] : retryReasons) {
    std::cout << "[ observed ]   " << n << " x Retry \"" << why << "\"\n";
  }

  broker_.start();
  // Anything paho had kept queued would go out before this sentinel on the new connection.
  ASSERT_TRUE(waitFor([&] { return sink_.deliver(makeEvent(1000)).kind == Delivery::Kind::Ok; },
                      20s, 50ms));
  ASSERT_TRUE(waitFor([&] { return eventIds(*collector_).count("evt-1000") == 1; }, 20s));
  auto ids = eventIds(*collector_);
  for (const auto& id : confirmed) EXPECT_EQ(ids.count(id), 1u) << id << " confirmed but lost";
  for (const auto& id : neverSent) EXPECT_EQ(ids.count(id), 0u) << id << " sent after Retry";
}

TEST(SinkMqttAuth, WrongPasswordIsRetryLaterNamingTheFix) {
  MosquittoBroker broker(passwordOnly());
  broker.start();
  FakePluginContext ctx("bms");
  ctx.set("broker", broker.passwordUri())
      .set("username", broker.username())
      .set("password", "wrong-password");
  SinkMqtt sink;
  sink.configure(ctx);
  StartResult result = sink.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater);
  EXPECT_NE(result.why.find(broker.passwordUri()), std::string::npos) << result.why;
  EXPECT_NE(result.why.find("not authorised"), std::string::npos) << result.why;
  EXPECT_NE(result.why.find("plugin.bms.password"), std::string::npos) << result.why;
  EXPECT_EQ(result.why.find("wrong-password"), std::string::npos) << result.why;
  std::cout << "[ observed ] " << result.why << "\n";
  // The host retries start() with backoff: the same clear answer, no crash, no hidden state.
  StartResult again = sink.start();
  EXPECT_EQ(again.kind, StartResult::Kind::RetryLater);
  EXPECT_EQ(again.why, result.why);
  EXPECT_EQ(sink.health().state, Health::State::Degraded);
  EXPECT_NE(sink.health().detail.find("not authorised"), std::string::npos) << sink.health().detail;
  sink.stop();
}

TEST(SinkMqttAuth, MissingCredentialsSayWhichKeysToSet) {
  MosquittoBroker broker(passwordOnly());
  broker.start();
  FakePluginContext ctx("bms");
  ctx.set("broker", broker.passwordUri());
  SinkMqtt sink;
  sink.configure(ctx);
  StartResult result = sink.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater);
  EXPECT_NE(result.why.find("not authorised"), std::string::npos) << result.why;
  EXPECT_NE(result.why.find("plugin.bms.username"), std::string::npos) << result.why;
}

TEST(SinkMqttAuth, RightPasswordDelivers) {
  MosquittoBroker broker(passwordOnly());
  broker.start();
  MqttCollector collector({.uri = broker.passwordUri(),
                           .topicFilter = "lpr/#",
                           .username = broker.username(),
                           .password = broker.password()});
  collector.start();
  FakePluginContext ctx("bms");
  ctx.set("broker", broker.passwordUri())
      .set("username", broker.username())
      .set("password", broker.password());
  SinkMqtt sink;
  sink.configure(ctx);
  ASSERT_EQ(sink.start().kind, StartResult::Kind::Ok);
  EXPECT_EQ(sink.deliver(makeEvent(1)).kind, Delivery::Kind::Ok);
  EXPECT_TRUE(waitFor([&] { return eventIds(collector).count("evt-1") == 1; }));
}

TEST(SinkMqttTls, DeliversOverTlsWithTheTestCa) {
  MosquittoBroker broker(tlsOnly());
  broker.start();
  MqttCollector collector(
      {.uri = broker.tlsUri(), .topicFilter = "lpr/#", .caFile = broker.caFile()});
  collector.start();
  FakePluginContext ctx("test");
  ctx.set("broker", broker.tlsUri()).set("tls.ca_file", broker.caFile());
  SinkMqtt sink;
  sink.configure(ctx);
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  StartResult result = sink.start();
  ASSERT_EQ(result.kind, StartResult::Kind::Ok) << result.why;
  EXPECT_TRUE(allOk(sink.deliverBatch(makeEvents(1, 3))));
  EXPECT_TRUE(waitFor([&] { return eventIds(collector).size() == 3; }));
}

TEST(SinkMqttTls, UnknownCaIsRetryLaterNamingTheCaFile) {
  MosquittoBroker broker(tlsOnly());
  broker.start();
  FakePluginContext ctx("test");
  // The system trust store does not know the test CA.
  ctx.set("broker", broker.tlsUri()).set("connect_timeout_ms", "2000");
  SinkMqtt sink;
  sink.configure(ctx);
  StartResult result = sink.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater);
  EXPECT_NE(result.why.find("tls.ca_file"), std::string::npos) << result.why;
  std::cout << "[ observed ] " << result.why << "\n";
}

TEST(SinkMqttTls, UnreadableCaFileIsFatal) {
  FakePluginContext ctx("test");
  ctx.set("broker", "ssl://127.0.0.1:8883").set("tls.ca_file", "/nonexistent/ca.crt");
  SinkMqtt sink;
  sink.configure(ctx);
  StartResult result = sink.start();
  EXPECT_EQ(result.kind, StartResult::Kind::Fatal);
  EXPECT_NE(result.why.find("plugin.test.tls.ca_file"), std::string::npos) << result.why;
}

}  // namespace
}  // namespace lpr::plugins::sink_mqtt
