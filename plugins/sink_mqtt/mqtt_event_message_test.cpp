#include "mqtt_event_message.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace lpr::plugins::sink_mqtt {
namespace {

TimePoint at(std::int64_t epochMs) { return TimePoint(std::chrono::milliseconds(epochMs)); }

PlateEvent fullEvent() {
  PlateEvent event;
  event.seq = 42;
  event.id = "6f1c2a9e-0d7b-4c1e-9a51-3b2f8e4d7c10";
  event.sourceId = "gate1_axis";
  event.sourceEventId = "lpr-77";
  event.vehicleId = "car-9";
  event.plateRaw = "ab 123-cd";
  event.plate = "AB123CD";
  event.country = "FR";
  event.confidence = 0.875;
  event.direction = Direction::In;
  event.accessPoint = 1;
  event.capturedAt = at(1795552630123);  // 2026-11-24T20:37:10.123Z
  event.receivedAt = at(1795552630456);
  event.imagePath = "/var/lib/lpr-gateway/spool/6f1c.jpg";
  Decision decision;
  decision.valid = true;
  decision.uuid = "u-1";
  decision.userName = "Alice \"A\" Martin";
  decision.session = "s-9";
  decision.decidedBy = "2n";
  decision.reason = "allowlisted";
  decision.decidedAt = at(1795552630500);
  event.decision = decision;
  event.attributes["color"] = "red";
  return event;
}

Poco::JSON::Object::Ptr parse(const std::string& payload) {
  return Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
}

MessageOptions options() {
  MessageOptions out;
  out.topicPrefix = "site/lpr";
  out.gatewayId = "gw1";
  return out;
}

TEST(MqttEventMessage, TopicsFollowPrefixAndGateway) {
  EXPECT_EQ(eventTopic(options()), "site/lpr/gw1/event/LicensePlateRecognized");
  EXPECT_EQ(statusTopic(options()), "site/lpr/gw1/status");
  EXPECT_EQ(toMqttEventMessage(fullEvent(), options()).topic,
            "site/lpr/gw1/event/LicensePlateRecognized");
}

TEST(MqttEventMessage, FullEventCarriesEveryField) {
  auto json = parse(toMqttEventMessage(fullEvent(), options()).payload);
  EXPECT_EQ(json->getValue<std::string>("event"), "LicensePlateRecognized");
  EXPECT_EQ(json->getValue<int>("schema_version"), 1);
  EXPECT_EQ(json->getValue<std::string>("gateway_id"), "gw1");
  EXPECT_EQ(json->getValue<std::string>("id"), "6f1c2a9e-0d7b-4c1e-9a51-3b2f8e4d7c10");
  EXPECT_EQ(json->getValue<std::string>("source"), "gate1_axis");
  EXPECT_EQ(json->getValue<std::string>("source_event_id"), "lpr-77");
  EXPECT_EQ(json->getValue<std::string>("vehicle_id"), "car-9");
  EXPECT_EQ(json->getValue<std::string>("plate"), "AB123CD");
  EXPECT_EQ(json->getValue<std::string>("plate_raw"), "ab 123-cd");
  EXPECT_EQ(json->getValue<std::string>("country"), "FR");
  EXPECT_DOUBLE_EQ(json->getValue<double>("confidence"), 0.875);
  EXPECT_EQ(json->getValue<std::string>("direction"), "in");
  EXPECT_EQ(json->getValue<int>("access_point"), 1);
  EXPECT_EQ(json->getValue<std::string>("captured_at"), formatUtc(at(1795552630123)));
  EXPECT_EQ(json->getValue<std::string>("received_at"), formatUtc(at(1795552630456)));
  EXPECT_TRUE(json->isNull("update_of"));
  // No snapshot_base_url: no URL, and the spool path stays on the gateway.
  EXPECT_TRUE(json->isNull("snapshot_url"));
  EXPECT_FALSE(json->has("image"));
  auto decision = json->getObject("decision");
  ASSERT_TRUE(decision);
  EXPECT_TRUE(decision->getValue<bool>("valid"));
  EXPECT_EQ(decision->getValue<std::string>("uuid"), "u-1");
  EXPECT_EQ(decision->getValue<std::string>("user_name"), "Alice \"A\" Martin");
  EXPECT_EQ(decision->getValue<std::string>("session"), "s-9");
  EXPECT_EQ(decision->getValue<std::string>("decided_by"), "2n");
  EXPECT_EQ(decision->getValue<std::string>("reason"), "allowlisted");
  EXPECT_EQ(decision->getValue<std::string>("decided_at"), formatUtc(at(1795552630500)));
  // Internal bookkeeping stays out of the public schema.
  EXPECT_FALSE(json->has("seq"));
  EXPECT_FALSE(json->has("attributes"));
}

TEST(MqttEventMessage, TimesAreUtcWithMilliseconds) {
  auto json = parse(toMqttEventMessage(fullEvent(), options()).payload);
  EXPECT_EQ(json->getValue<std::string>("captured_at"), "2026-11-24T20:37:10.123Z");
}

TEST(MqttEventMessage, KeysKeepTheDocumentedOrder) {
  const std::string payload = toMqttEventMessage(fullEvent(), options()).payload;
  std::size_t last = 0;
  for (const char* key :
       {"\"event\"",        "\"schema_version\"",  "\"gateway_id\"",  "\"id\"",
        "\"source\"",       "\"source_event_id\"", "\"vehicle_id\"",  "\"update_of\"",
        "\"plate\"",        "\"plate_raw\"",       "\"country\"",     "\"confidence\"",
        "\"direction\"",    "\"access_point\"",    "\"captured_at\"", "\"received_at\"",
        "\"snapshot_url\"", "\"decision\"",        "\"valid\"",       "\"uuid\"",
        "\"user_name\"",    "\"session\"",         "\"decided_by\"",  "\"reason\"",
        "\"decided_at\""}) {
    std::size_t pos = payload.find(key, last);
    ASSERT_NE(pos, std::string::npos) << key << " missing or out of order in " << payload;
    last = pos;
  }
}

TEST(MqttEventMessage, AbsentValuesAreNull) {
  PlateEvent event;
  event.id = "e1";
  event.plate = "XY99";
  const std::string payload = toMqttEventMessage(event, options()).payload;
  auto json = parse(payload);
  EXPECT_TRUE(json->isNull("confidence")) << payload;
  EXPECT_TRUE(json->isNull("snapshot_url")) << payload;
  EXPECT_TRUE(json->isNull("update_of")) << payload;
  EXPECT_TRUE(json->isNull("decision")) << payload;
  EXPECT_EQ(json->getValue<std::string>("direction"), "unknown");
  EXPECT_EQ(json->getValue<int>("access_point"), 0);
  EXPECT_NE(payload.find("\"decision\":null"), std::string::npos) << payload;
}

TEST(MqttEventMessage, DecisionWithoutUserHasNullIdentity) {
  PlateEvent event = fullEvent();
  event.decision->valid = false;
  event.decision->uuid.reset();
  event.decision->userName.reset();
  event.decision->session.reset();
  auto decision = parse(toMqttEventMessage(event, options()).payload)->getObject("decision");
  ASSERT_TRUE(decision);
  EXPECT_FALSE(decision->getValue<bool>("valid"));
  EXPECT_TRUE(decision->isNull("uuid"));
  EXPECT_TRUE(decision->isNull("user_name"));
  EXPECT_TRUE(decision->isNull("session"));
}

TEST(MqttEventMessage, DirectionsUseCoreNames) {
  PlateEvent event = fullEvent();
  event.direction = Direction::Out;
  EXPECT_EQ(parse(toMqttEventMessage(event, options()).payload)->getValue<std::string>("direction"),
            "out");
}

TEST(MqttEventMessage, MaskingHidesPlateAndRawText) {
  MessageOptions masked = options();
  masked.maskPlate = true;
  auto json = parse(toMqttEventMessage(fullEvent(), masked).payload);
  EXPECT_EQ(json->getValue<std::string>("plate"), "AB***CD");
  EXPECT_EQ(json->getValue<std::string>("plate_raw"), "ab*****cd");
  EXPECT_EQ(json->getValue<std::string>("id"), "6f1c2a9e-0d7b-4c1e-9a51-3b2f8e4d7c10");
}

TEST(MqttEventMessage, MaskKeepsMultiByteCharactersWhole) {
  EXPECT_EQ(maskPlateText(""), "");
  EXPECT_EQ(maskPlateText("AB1"), "***");
  EXPECT_EQ(maskPlateText("AB12"), "****");
  EXPECT_EQ(maskPlateText("AB123"), "AB*23");
  // Cyrillic letters are two bytes each in UTF-8.
  EXPECT_EQ(maskPlateText("\xD0\x90\xD0\x92"
                          "123"
                          "\xD0\xA1\xD0\x95"),
            "\xD0\x90\xD0\x92***\xD0\xA1\xD0\x95");
}

TEST(MqttEventMessage, NonAsciiTextStaysValidJson) {
  PlateEvent event = fullEvent();
  event.plateRaw = "\xD0\x90\xD0\x92 123";
  event.decision->userName = "Zoë\nO'Brien";
  auto json = parse(toMqttEventMessage(event, options()).payload);
  EXPECT_EQ(json->getValue<std::string>("plate_raw"), "\xD0\x90\xD0\x92 123");
  EXPECT_EQ(json->getObject("decision")->getValue<std::string>("user_name"), "Zoë\nO'Brien");
}

TEST(MqttEventMessage, RefinementNamesTheFirstEvent) {
  PlateEvent event = fullEvent();
  event.updateOf = "0b6c2f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
  auto json = parse(toMqttEventMessage(event, options()).payload);
  EXPECT_EQ(json->getValue<std::string>("update_of"), "0b6c2f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f");
}

TEST(MqttEventMessage, SnapshotUrlNeedsABaseAndASnapshot) {
  MessageOptions withBase = options();
  withBase.snapshotBaseUrl = "https://gw1.example:8443/";
  PlateEvent event = fullEvent();
  EXPECT_EQ(
      parse(toMqttEventMessage(event, withBase).payload)->getValue<std::string>("snapshot_url"),
      "https://gw1.example:8443/api/v1/snapshots/6f1c2a9e-0d7b-4c1e-9a51-3b2f8e4d7c10");
  event.imagePath.clear();
  EXPECT_TRUE(parse(toMqttEventMessage(event, withBase).payload)->isNull("snapshot_url"));
}

TEST(MqttEventMessage, GateTopics) {
  EXPECT_EQ(gateLastTopic(options(), 1), "site/lpr/gw1/gate/1/last");
  EXPECT_EQ(gateEventTopic(options(), 0), "site/lpr/gw1/gate/0/event");
  EXPECT_EQ(gateOpenTopic(options(), 0), "site/lpr/gw1/gate/0/open");
  EXPECT_EQ(gateOpenResultTopic(options(), 0), "site/lpr/gw1/gate/0/open/result");
  EXPECT_EQ(gateOpenFilter(options()), "site/lpr/gw1/gate/+/open");
}

TEST(MqttEventMessage, TopicValidation) {
  EXPECT_EQ(topicPrefixProblem("lpr"), "");
  EXPECT_EQ(topicPrefixProblem("site/lpr"), "");
  EXPECT_NE(topicPrefixProblem(""), "");
  EXPECT_NE(topicPrefixProblem("/lpr"), "");
  EXPECT_NE(topicPrefixProblem("lpr/"), "");
  EXPECT_NE(topicPrefixProblem("a//b"), "");
  EXPECT_NE(topicPrefixProblem("lpr/#"), "");
  EXPECT_NE(topicPrefixProblem("lpr/+/x"), "");
  EXPECT_EQ(topicLevelProblem("gw-1"), "");
  EXPECT_NE(topicLevelProblem("gw/1"), "");
  EXPECT_NE(topicLevelProblem("gw+"), "");
  EXPECT_NE(topicLevelProblem(""), "");
}

}  // namespace
}  // namespace lpr::plugins::sink_mqtt
