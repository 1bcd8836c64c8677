#pragma once

#include <string>
#include <vector>

#include "mqtt_event_message.h"

namespace lpr::plugins::sink_mqtt {

// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery).
struct HaOptions {
  bool discovery = false;
  std::string prefix = "homeassistant";  // HA's discovery_prefix
  int presenceHoldS = 30;                // off_delay of "authorized vehicle present"
  std::vector<int> gates{0, 1};          // access points that get entities
};

struct DiscoveryInput {
  MessageOptions message;
  HaOptions ha;
  // Access points a barrier drives (GateControl::accessPoints()): they get entities too, and
  // only they get an "open" button.
  std::vector<int> barrierGates;
  bool openCommands = false;  // gate_commands: without it no button is offered
  std::string version;        // sw_version of the device
};

// A retained message; an empty payload removes what HA had under that topic.
struct RetainedMessage {
  std::string topic;
  std::string payload;
};

// <ha.prefix>/status: HA publishes "online" there when it (re)starts.
std::string haStatusTopic(const HaOptions& ha);
// lpr_<gateway id>, with every character HA does not allow in a node id replaced by '_'.
std::string haNodeId(const std::string& gatewayId);
// The gates that get entities: ha.gates and the barriers' access points, ascending, once each.
std::vector<int> haGates(const DiscoveryInput& input);

// One config message per entity of every gate: sensor "last plate", binary_sensor "authorized
// vehicle present", event "access", image "snapshot" and button "open". The image without
// snapshot_base_url and the button without gate_commands or without a barrier for the gate are
// removal messages (empty payload), so that turning them off takes them out of HA.
std::vector<RetainedMessage> haDiscoveryMessages(const DiscoveryInput& input);

}  // namespace lpr::plugins::sink_mqtt
