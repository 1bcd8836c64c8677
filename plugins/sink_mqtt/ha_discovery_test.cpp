#include "ha_discovery.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <map>

namespace lpr::plugins::sink_mqtt {
namespace {

Poco::JSON::Object::Ptr parse(const std::string& payload) {
  return Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
}

DiscoveryInput input() {
  DiscoveryInput out;
  out.message.topicPrefix = "lpr";
  out.message.gatewayId = "gw1";
  out.ha.discovery = true;
  out.ha.gates = {0, 1};
  out.version = "0.1.0";
  return out;
}

std::map<std::string, std::string> byTopic(const std::vector<RetainedMessage>& messages) {
  std::map<std::string, std::string> out;
  for (const auto& m : messages) out[m.topic] = m.payload;
  return out;
}

TEST(HaDiscovery, NodeIdKeepsOnlyWhatHaAllows) {
  EXPECT_EQ(haNodeId("gw-1_a"), "lpr_gw-1_a");
  EXPECT_EQ(haNodeId("gw.1 x"), "lpr_gw_1_x");
  EXPECT_EQ(haStatusTopic(HaOptions{}), "homeassistant/status");
}

TEST(HaDiscovery, GatesAreConfiguredAndBarrierGates) {
  DiscoveryInput in = input();
  in.ha.gates = {1};
  in.barrierGates = {3, 1};
  EXPECT_EQ(haGates(in), (std::vector<int>{1, 3}));
}

TEST(HaDiscovery, EveryEntityHasIdentityDeviceAndAvailability) {
  DiscoveryInput in = input();
  in.barrierGates = {0};
  in.openCommands = true;
  in.message.snapshotBaseUrl = "http://10.0.0.5:8080";
  auto messages = byTopic(haDiscoveryMessages(in));
  ASSERT_EQ(messages.size(), 10u);  // five entities for each of two gates
  for (const auto& [topic, payload] : messages) {
    SCOPED_TRACE(topic);
    if (topic == "homeassistant/button/lpr_gw1/gate1_open/config") {
      EXPECT_EQ(payload, "") << "no barrier drives gate 1: no button";
      continue;
    }
    ASSERT_FALSE(payload.empty());
    auto json = parse(payload);
    EXPECT_FALSE(json->getValue<std::string>("unique_id").empty());
    EXPECT_FALSE(json->getValue<std::string>("name").empty());
    EXPECT_EQ(json->getValue<std::string>("availability_topic"), "lpr/gw1/status");
    EXPECT_EQ(json->getValue<std::string>("payload_available"), "online");
    EXPECT_EQ(json->getValue<std::string>("payload_not_available"), "offline");
    auto device = json->getObject("device");
    ASSERT_TRUE(device);
    EXPECT_EQ(device->getArray("identifiers")->getElement<std::string>(0), "lpr-gateway_gw1");
    EXPECT_EQ(device->getValue<std::string>("sw_version"), "0.1.0");
    EXPECT_TRUE(device->has("name") && device->has("manufacturer") && device->has("model"));
  }
  auto sensor = parse(messages.at("homeassistant/sensor/lpr_gw1/gate0_last_plate/config"));
  EXPECT_EQ(sensor->getValue<std::string>("state_topic"), "lpr/gw1/gate/0/last");
  EXPECT_EQ(sensor->getValue<std::string>("value_template"), "{{ value_json.plate }}");
  EXPECT_EQ(sensor->getValue<std::string>("unique_id"), "lpr_gw1_gate0_last_plate");
  EXPECT_EQ(sensor->getValue<std::string>("default_entity_id"), "sensor.lpr_gw1_gate0_last_plate");

  auto present =
      parse(messages.at("homeassistant/binary_sensor/lpr_gw1/gate1_authorized_vehicle/config"));
  EXPECT_EQ(present->getValue<std::string>("state_topic"), "lpr/gw1/gate/1/event");
  EXPECT_EQ(present->getValue<int>("off_delay"), 30);

  auto event = parse(messages.at("homeassistant/event/lpr_gw1/gate0_access/config"));
  EXPECT_EQ(event->getValue<std::string>("state_topic"), "lpr/gw1/gate/0/event");
  EXPECT_EQ(event->getArray("event_types")->size(), 4u);

  auto image = parse(messages.at("homeassistant/image/lpr_gw1/gate0_snapshot/config"));
  EXPECT_EQ(image->getValue<std::string>("url_topic"), "lpr/gw1/gate/0/last");
  EXPECT_EQ(image->getValue<std::string>("url_template"), "{{ value_json.snapshot_url }}");

  auto button = parse(messages.at("homeassistant/button/lpr_gw1/gate0_open/config"));
  EXPECT_EQ(button->getValue<std::string>("command_topic"), "lpr/gw1/gate/0/open");
  EXPECT_EQ(button->getValue<std::string>("payload_press"), "OPEN");
}

TEST(HaDiscovery, WithoutSnapshotBaseOrCommandsThoseEntitiesAreRemoved) {
  DiscoveryInput in = input();
  in.barrierGates = {0, 1};
  in.openCommands = false;
  auto messages = byTopic(haDiscoveryMessages(in));
  EXPECT_EQ(messages.at("homeassistant/image/lpr_gw1/gate0_snapshot/config"), "");
  EXPECT_EQ(messages.at("homeassistant/button/lpr_gw1/gate0_open/config"), "");
  EXPECT_EQ(messages.at("homeassistant/button/lpr_gw1/gate1_open/config"), "");
}

TEST(HaDiscovery, PrefixAndHoldAreConfigurable) {
  DiscoveryInput in = input();
  in.ha.prefix = "ha2";
  in.ha.presenceHoldS = 7;
  in.ha.gates = {2};
  auto messages = byTopic(haDiscoveryMessages(in));
  auto present = parse(messages.at("ha2/binary_sensor/lpr_gw1/gate2_authorized_vehicle/config"));
  EXPECT_EQ(present->getValue<int>("off_delay"), 7);
}

}  // namespace
}  // namespace lpr::plugins::sink_mqtt
