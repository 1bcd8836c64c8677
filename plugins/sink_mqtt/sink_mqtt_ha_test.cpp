// sink_mqtt against a real mosquitto: the published messages validated against the JSON Schema
// file, the retained per-gate last topic, Home Assistant discovery, and the gate command topic.
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <mqtt/async_client.h>

#include <map>
#include <mutex>

#include "fake_plugin_context.h"
#include "metrics/metrics.h"
#include "mosquitto_broker.h"
#include "mqtt_collector.h"
#include "sink_mqtt.h"
#include "test_env.h"

namespace lpr::plugins::sink_mqtt {
namespace {

using lpr::testing::CollectedMessage;
using lpr::testing::FakePluginContext;
using lpr::testing::MosquittoBroker;
using lpr::testing::MqttCollector;
using lpr::testing::MqttCollectorOptions;
using lpr::testing::ScratchDir;
using lpr::testing::waitFor;
using namespace std::chrono_literals;

constexpr const char* kPrefix = "lpr/gw-test";

Poco::JSON::Object::Ptr parse(const std::string& payload) {
  return Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

struct CheckResult {
  int exitCode = -1;
  std::string output;
};

// Runs the checker kept beside the schema (python3-jsonschema) over the messages, one per line.
CheckResult checkAgainstSchema(const std::vector<std::string>& messages) {
  ScratchDir dir("lpr-schema-check");
  std::string lines;
  for (const auto& message : messages) lines += message + "\n";
  lpr::testing::writeFile(dir.file("messages.jsonl"), lines);
  Poco::Pipe outPipe;
  Poco::Process::Args args{SINK_MQTT_SCHEMA_CHECK, SINK_MQTT_SCHEMA, dir.file("messages.jsonl")};
  Poco::ProcessHandle process =
      Poco::Process::launch("/usr/bin/python3", args, nullptr, &outPipe, &outPipe);
  Poco::PipeInputStream out(outPipe);
  CheckResult result;
  Poco::StreamCopier::copyToString(out, result.output);
  result.exitCode = process.wait();
  return result;
}

std::vector<std::string> payloads(const std::vector<CollectedMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.payload);
  return out;
}

// Publishes like an operator's client or Home Assistant would.
class TestPublisher {
 public:
  explicit TestPublisher(const std::string& uri) : client_(uri, "lpr-test-publisher") {
    auto options = mqtt::connect_options_builder()
                       .clean_session(true)
                       .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(2))
                       .finalize();
    client_.connect(options)->wait_for(10s);
  }
  ~TestPublisher() {
    try {
      client_.disconnect()->wait_for(5s);
    } catch (const mqtt::exception&) {
    }
  }
  bool publish(const std::string& topic, const std::string& payload, bool retained = false) {
    try {
      return client_.publish(topic, payload.data(), payload.size(), 1, retained)->wait_for(10s);
    } catch (const mqtt::exception&) {
      return false;
    }
  }
  bool connected() const { return client_.is_connected(); }

 private:
  mqtt::async_client client_;
};

// A barrier as barrier sinks register it: records each request and opens.
class RecordingBarrier {
 public:
  void registerIn(GateRegistry& gates, std::vector<int> accessPoints) {
    gates.registerBarrier("barrier_test", std::move(accessPoints), [this](const OpenRequest& r) {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(r);
      return OpenResult{OpenResult::Kind::Opened, "pulsed relay 1"};
    });
  }
  std::vector<OpenRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<OpenRequest> requests_;
};

PlateEvent baseEvent(std::int64_t seq, int accessPoint) {
  PlateEvent event;
  event.seq = seq;
  event.id = newUuid();
  event.sourceId = "gate1_2n";
  event.sourceEventId = newUuid();
  event.vehicleId = "4711";
  event.plateRaw = "AB 123 CD";
  event.plate = "AB123CD";
  event.country = "CZ";
  event.confidence = 0.92;
  event.direction = accessPoint == 0 ? Direction::In : Direction::Out;
  event.accessPoint = accessPoint;
  event.capturedAt = TimePoint(std::chrono::milliseconds(1795552630000 + seq));
  event.receivedAt = event.capturedAt + 20ms;
  event.imagePath = "/var/lib/lpr-gateway/spool/" + event.id + ".jpg";
  return event;
}

Decision grant() {
  Decision d;
  d.valid = true;
  d.uuid = newUuid();
  d.userName = "Jana Novák";
  d.session = "17";
  d.decidedBy = "2n";
  d.reason = "user found";
  d.decidedAt = TimePoint(std::chrono::milliseconds(1795552631000));
  return d;
}

Decision denial() {
  Decision d;
  d.valid = false;
  d.decidedBy = "local_fallback";
  d.reason = "plate not in the directory";
  d.decidedAt = TimePoint(std::chrono::milliseconds(1795552631000));
  return d;
}

class SinkMqttHaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    collector_ = std::make_unique<MqttCollector>(
        MqttCollectorOptions{.uri = broker_.uri(), .topicFilter = "#"});
    collector_->start();
    ctx_.set("broker", broker_.uri()).set("publish_timeout_ms", "3000");
  }

  void startSink() {
    sink_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    StartResult result = sink_.start();
    ASSERT_EQ(result.kind, StartResult::Kind::Ok) << result.why << "\n" << broker_.log();
  }

  std::vector<CollectedMessage> waitForMessages(const std::string& topic, std::size_t n,
                                                std::chrono::milliseconds timeout = 10s) {
    waitFor([&] { return collector_->messages(topic).size() >= n; }, timeout);
    return collector_->messages(topic);
  }

  // What a subscriber that comes now gets as retained messages under the filter.
  std::map<std::string, std::string> retained(const std::string& filter, std::size_t expected,
                                              const std::string& clientId) {
    MqttCollector probe({.uri = broker_.uri(), .topicFilter = filter, .clientId = clientId});
    probe.start();
    probe.waitForCount(expected, 5s);
    std::map<std::string, std::string> out;
    for (const auto& m : probe.messages()) {
      if (m.retained) out[m.topic] = m.payload;
    }
    probe.stop();
    return out;
  }

  std::string metrics() { return ctx_.metrics().renderPrometheus(); }

  MosquittoBroker broker_;
  std::unique_ptr<MqttCollector> collector_;
  FakePluginContext ctx_{"test"};
  SinkMqtt sink_;
};

TEST(SinkMqttSchema, FileNameAndPayloadCarryTheSameVersion) {
  const std::string name = Poco::Path(SINK_MQTT_SCHEMA).getFileName();
  EXPECT_EQ(name, "license-plate-recognized.v" + std::to_string(kSchemaVersion) + ".schema.json");
  auto schema = parse(lpr::testing::readFile(SINK_MQTT_SCHEMA));
  EXPECT_EQ(schema->getObject("properties")->getObject("schema_version")->getValue<int>("const"),
            kSchemaVersion);
}

TEST_F(SinkMqttHaTest, PublishedEventsAreValidAgainstTheSchema) {
  ctx_.set("snapshot_base_url", "http://192.168.1.10:8080");
  startSink();
  PlateEvent granted = baseEvent(1, 0);
  granted.decision = grant();
  PlateEvent denied = baseEvent(2, 1);
  denied.plate = "XY9";
  denied.plateRaw = "xy 9";
  denied.decision = denial();
  PlateEvent undecided = baseEvent(3, 1);
  undecided.confidence.reset();
  undecided.country.clear();
  undecided.vehicleId.clear();
  undecided.sourceEventId.clear();
  undecided.imagePath.clear();
  undecided.direction = Direction::Unknown;
  PlateEvent refinement = baseEvent(4, 0);
  refinement.plate = "AB128CD";
  refinement.updateOf = granted.id;
  refinement.decision = granted.decision;
  refinement.confidence = 0.99;
  auto deliveries = sink_.deliverBatch({granted, denied, undecided, refinement});
  for (const auto& d : deliveries) ASSERT_EQ(d.kind, Delivery::Kind::Ok) << d.why;

  auto events = waitForMessages(std::string(kPrefix) + "/event/LicensePlateRecognized", 4);
  ASSERT_EQ(events.size(), 4u);
  auto perGate0 = waitForMessages(std::string(kPrefix) + "/gate/0/event", 2);
  auto perGate1 = waitForMessages(std::string(kPrefix) + "/gate/1/event", 2);
  auto last0 = waitForMessages(std::string(kPrefix) + "/gate/0/last", 1);
  auto last1 = waitForMessages(std::string(kPrefix) + "/gate/1/last", 1);
  std::vector<std::string> all = payloads(events);
  for (const auto* more : {&perGate0, &perGate1, &last0, &last1}) {
    for (const auto& p : payloads(*more)) all.push_back(p);
  }
  ASSERT_EQ(all.size(), 10u);

  CheckResult check = checkAgainstSchema(all);
  EXPECT_EQ(check.exitCode, 0) << check.output;
  EXPECT_NE(check.output.find("10 message(s), 0 invalid"), std::string::npos) << check.output;

  // What the schema is for: the real messages say what the tests above promised.
  auto first = parse(events[0].payload);
  EXPECT_EQ(first->getValue<std::string>("snapshot_url"),
            "http://192.168.1.10:8080/api/v1/snapshots/" + granted.id);
  auto third = parse(events[2].payload);
  EXPECT_TRUE(third->isNull("decision"));
  EXPECT_TRUE(third->isNull("snapshot_url"));
  auto fourth = parse(events[3].payload);
  EXPECT_EQ(fourth->getValue<std::string>("update_of"), granted.id);

  // The checker can fail: each of these real messages, spoiled in one way, is refused.
  std::vector<std::string> spoiled;
  auto a = parse(events[0].payload);
  a->set("direction", "sideways");
  spoiled.push_back(stringify(a));
  auto b = parse(events[0].payload);
  b->remove("update_of");
  spoiled.push_back(stringify(b));
  auto c = parse(events[0].payload);
  c->set("image", "/var/lib/lpr-gateway/spool/x.jpg");
  spoiled.push_back(stringify(c));
  auto d = parse(events[0].payload);
  d->getObject("decision")->set("valid", "yes");
  spoiled.push_back(stringify(d));
  auto e = parse(events[0].payload);
  e->set("schema_version", 2);
  spoiled.push_back(stringify(e));
  for (const auto& message : spoiled) {
    CheckResult bad = checkAgainstSchema({message});
    EXPECT_EQ(bad.exitCode, 1) << message << "\n" << bad.output;
  }
}

TEST_F(SinkMqttHaTest, MaskedPlatesAreValidAgainstTheSchemaToo) {
  ctx_.set("mask_plate", "true");
  startSink();
  PlateEvent event = baseEvent(1, 0);
  event.decision = grant();
  ASSERT_EQ(sink_.deliver(event).kind, Delivery::Kind::Ok);
  auto events = waitForMessages(std::string(kPrefix) + "/event/LicensePlateRecognized", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(parse(events[0].payload)->getValue<std::string>("plate"), "AB***CD");
  CheckResult check = checkAgainstSchema(payloads(events));
  EXPECT_EQ(check.exitCode, 0) << check.output;
}

TEST_F(SinkMqttHaTest, LastTopicKeepsTheNewestEventOfEachGate) {
  startSink();
  PlateEvent entry = baseEvent(10, 0);
  entry.decision = grant();
  PlateEvent exit = baseEvent(11, 1);
  exit.decision = denial();
  ASSERT_EQ(sink_.deliver(entry).kind, Delivery::Kind::Ok);
  ASSERT_EQ(sink_.deliver(exit).kind, Delivery::Kind::Ok);
  PlateEvent refinement = baseEvent(12, 0);
  refinement.updateOf = entry.id;
  refinement.decision = entry.decision;
  ASSERT_EQ(sink_.deliver(refinement).kind, Delivery::Kind::Ok);
  // An older event that comes again (after a Retry) must not take the gate's last topic back.
  ASSERT_EQ(sink_.deliver(entry).kind, Delivery::Kind::Ok);
  // The collector has seen the sentinel, so everything published before it has reached the
  // broker.
  waitForMessages(std::string(kPrefix) + "/event/LicensePlateRecognized", 4);

  // The broker hands a new subscriber all retained messages under its filter at once: only the
  // two last topics are among them, the per-gate event topic is not retained.
  auto last = retained(std::string(kPrefix) + "/gate/#", 2, "probe-last");
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(parse(last.at(std::string(kPrefix) + "/gate/0/last"))->getValue<std::string>("id"),
            refinement.id);
  EXPECT_EQ(parse(last.at(std::string(kPrefix) + "/gate/1/last"))->getValue<std::string>("id"),
            exit.id);
}

TEST_F(SinkMqttHaTest, DiscoveryCarriesWhatHomeAssistantNeeds) {
  RecordingBarrier barrier;
  barrier.registerIn(ctx_.gates(), {0});
  ctx_.set("ha.discovery", "true")
      .set("gate_commands", "true")
      .set("snapshot_base_url", "http://192.168.1.10:8080");
  startSink();
  // Retained: HA finds them whenever it subscribes.
  auto configs = retained("homeassistant/#", 10, "probe-ha");
  std::map<std::string, int> perComponent;
  for (const auto& [topic, payload] : configs) {
    SCOPED_TRACE(topic);
    ASSERT_FALSE(payload.empty());
    auto json = parse(payload);
    const std::string component = topic.substr(14, topic.find('/', 14) - 14);
    ++perComponent[component];
    EXPECT_FALSE(json->getValue<std::string>("unique_id").empty());
    EXPECT_EQ(json->getValue<std::string>("availability_topic"), std::string(kPrefix) + "/status");
    EXPECT_EQ(json->getValue<std::string>("payload_available"), "online");
    EXPECT_EQ(json->getValue<std::string>("payload_not_available"), "offline");
    auto device = json->getObject("device");
    ASSERT_TRUE(device);
    EXPECT_EQ(device->getArray("identifiers")->getElement<std::string>(0), "lpr-gateway_gw-test");
    for (const char* key : {"name", "manufacturer", "model", "sw_version"}) {
      EXPECT_TRUE(device->has(key)) << key;
    }
    if (component == "button") {
      EXPECT_EQ(json->getValue<std::string>("command_topic"),
                std::string(kPrefix) + "/gate/0/open");
    } else if (component == "image") {
      EXPECT_EQ(
          json->getValue<std::string>("url_topic"),
          std::string(kPrefix) + "/gate/" + topic.substr(topic.find("/gate") + 5, 1) + "/last");
    } else {
      EXPECT_TRUE(json->has("state_topic"));
    }
  }
  // Two gates (0, 1) with sensor, binary_sensor, event and image; a button only where a
  // barrier is (gate 0): an empty retained config is no config at all.
  EXPECT_EQ(perComponent["sensor"], 2);
  EXPECT_EQ(perComponent["binary_sensor"], 2);
  EXPECT_EQ(perComponent["event"], 2);
  EXPECT_EQ(perComponent["image"], 2);
  EXPECT_EQ(perComponent["button"], 1);
  EXPECT_EQ(configs.size(), 9u);

  // HA announces its restart on homeassistant/status: the configs go out again.
  const std::string sensorTopic = "homeassistant/sensor/lpr_gw-test/gate0_last_plate/config";
  const std::size_t before = collector_->messages(sensorTopic).size();
  TestPublisher ha(broker_.uri());
  ASSERT_TRUE(ha.publish("homeassistant/status", "online"));
  EXPECT_TRUE(waitFor([&] { return collector_->messages(sensorTopic).size() > before; }))
      << collector_->messages(sensorTopic).size();
}

TEST_F(SinkMqttHaTest, DiscoveryIsOffByDefault) {
  startSink();
  PlateEvent event = baseEvent(1, 0);
  ASSERT_EQ(sink_.deliver(event).kind, Delivery::Kind::Ok);
  waitForMessages(std::string(kPrefix) + "/event/LicensePlateRecognized", 1);
  for (const auto& m : collector_->messages()) {
    EXPECT_NE(m.topic.rfind("homeassistant/", 0), 0u) << m.topic;
  }
}

class SinkMqttCommandTest : public SinkMqttHaTest {
 protected:
  void SetUp() override {
    SinkMqttHaTest::SetUp();
    barrier_.registerIn(ctx_.gates(), {0});
    ctx_.set("gate_commands", "true");
    startSink();
    publisher_ = std::make_unique<TestPublisher>(broker_.uri());
    ASSERT_TRUE(publisher_->connected());
  }

  // Sends a command and returns the result message published for it.
  Poco::JSON::Object::Ptr command(int gate, const std::string& payload) {
    const std::string topic = std::string(kPrefix) + "/gate/" + std::to_string(gate) + "/open";
    const std::size_t before = collector_->messages(topic + "/result").size();
    EXPECT_TRUE(publisher_->publish(topic, payload));
    auto results = waitForMessages(topic + "/result", before + 1);
    if (results.size() <= before) return nullptr;
    EXPECT_FALSE(results.back().retained);
    return parse(results.back().payload);
  }

  RecordingBarrier barrier_;
  std::unique_ptr<TestPublisher> publisher_;
};

TEST_F(SinkMqttCommandTest, OpenCommandOpensTheBarrierOfThatGate) {
  auto result = command(0, R"({"reason":"delivery van","request_id":"r-1"})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->getValue<std::string>("result"), "opened");
  EXPECT_EQ(result->getValue<std::string>("request_id"), "r-1");
  EXPECT_EQ(result->getValue<int>("access_point"), 0);
  auto requests = barrier_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].accessPoint, 0);
  EXPECT_EQ(requests[0].requestedBy, "mqtt:" + std::string(kPrefix) + "/gate/0/open");
  EXPECT_EQ(requests[0].reason, "delivery van");
  // The Home Assistant button's payload.
  result = command(0, "OPEN");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->getValue<std::string>("result"), "opened");
  EXPECT_EQ(barrier_.requests().size(), 2u);
  EXPECT_NE(metrics().find("lpr_gate_open_requests_total{plugin=\"test\",result=\"opened\"} 2"),
            std::string::npos)
      << metrics();
}

TEST_F(SinkMqttCommandTest, GateWithoutBarrierAnswersNoBarrier) {
  auto result = command(1, "OPEN");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->getValue<std::string>("result"), "no_barrier");
  EXPECT_TRUE(barrier_.requests().empty());
  EXPECT_NE(metrics().find("lpr_gate_open_requests_total{plugin=\"test\",result=\"no_barrier\"} 1"),
            std::string::npos)
      << metrics();
}

TEST_F(SinkMqttCommandTest, MalformedCommandsAreCountedAndOpenNothing) {
  for (const char* payload : {"open please", R"({"gate":1})", "{broken", ""}) {
    auto result = command(0, payload);
    ASSERT_TRUE(result) << payload;
    EXPECT_EQ(result->getValue<std::string>("result"), "malformed") << payload;
  }
  auto result = command(0, "OPEN");  // still alive and listening
  ASSERT_TRUE(result);
  EXPECT_EQ(result->getValue<std::string>("result"), "opened");
  EXPECT_EQ(barrier_.requests().size(), 1u);
  EXPECT_NE(metrics().find("lpr_gate_open_requests_total{plugin=\"test\",result=\"malformed\"} 4"),
            std::string::npos)
      << metrics();
}

TEST_F(SinkMqttCommandTest, RetainedCommandIsRefused) {
  // A retained "open" would open the gate again on every reconnect of the gateway.
  const std::string topic = std::string(kPrefix) + "/gate/0/open";
  ASSERT_TRUE(publisher_->publish(topic, "OPEN", true));
  auto first = waitForMessages(topic + "/result", 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(parse(first[0].payload)->getValue<std::string>("result"), "opened")
      << "a live subscriber gets the message as a live one";
  // The sink reconnects (as after a link loss) and now gets the retained copy.
  sink_.stop();
  ASSERT_EQ(sink_.start().kind, StartResult::Kind::Ok);
  auto results = waitForMessages(topic + "/result", 2);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(parse(results[1].payload)->getValue<std::string>("result"), "refused");
  EXPECT_EQ(barrier_.requests().size(), 1u);
  ASSERT_TRUE(publisher_->publish(topic, "", true));  // clear it
}

TEST_F(SinkMqttCommandTest, SubscriptionSurvivesABrokerRestart) {
  broker_.stop();
  broker_.start();
  // The sink reconnects on its own; a delivery succeeding shows it is through.
  ASSERT_TRUE(waitFor([&] { return sink_.deliver(baseEvent(1, 0)).kind == Delivery::Kind::Ok; },
                      20s, 50ms));
  ASSERT_TRUE(waitFor([&] { return publisher_->connected() && collector_->connected(); }, 20s));
  Poco::JSON::Object::Ptr result;
  // The collector subscribes again on its own after the restart; retry until it sees a result.
  ASSERT_TRUE(waitFor([&] { return (result = command(0, "OPEN")) != nullptr; }, 30s, 100ms));
  EXPECT_EQ(result->getValue<std::string>("result"), "opened");
  EXPECT_GE(barrier_.requests().size(), 1u);
}

}  // namespace
}  // namespace lpr::plugins::sink_mqtt
