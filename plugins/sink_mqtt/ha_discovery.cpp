#include "ha_discovery.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <set>
#include <sstream>

namespace lpr::plugins::sink_mqtt {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr orderedObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string stringify(const Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

// HA templates (Jinja) over the LicensePlateRecognized payload.
constexpr const char* kPlateTemplate = "{{ value_json.plate }}";
constexpr const char* kLastAttributesTemplate =
    "{% set d = value_json.decision %}"
    "{{ {'event_id': value_json.id, 'update_of': value_json.update_of, "
    "'plate_raw': value_json.plate_raw, 'country': value_json.country, "
    "'direction': value_json.direction, 'captured_at': value_json.captured_at, "
    "'valid': d.valid if d else none, 'user_name': d.user_name if d else none, "
    "'decided_by': d.decided_by if d else none, 'reason': d.reason if d else none, "
    "'snapshot_url': value_json.snapshot_url} | to_json }}";
// ON for a grant; every grant re-arms HA's off_delay.
constexpr const char* kPresenceTemplate =
    "{{ 'ON' if value_json.decision and value_json.decision.valid else 'OFF' }}";
// A refinement is its own event type: it repeats a decision already acted on.
constexpr const char* kEventTemplate =
    "{% set d = value_json.decision %}"
    "{% set t = 'refined' if value_json.update_of else "
    "('undecided' if not d else ('granted' if d.valid else 'denied')) %}"
    "{{ {'event_type': t, 'event_id': value_json.id, 'plate': value_json.plate, "
    "'direction': value_json.direction, 'user_name': d.user_name if d else none, "
    "'decided_by': d.decided_by if d else none, 'reason': d.reason if d else none, "
    "'update_of': value_json.update_of} | to_json }}";
constexpr const char* kSnapshotTemplate = "{{ value_json.snapshot_url }}";
constexpr const char* kPressPayload = "OPEN";

struct Entity {
  std::string component;  // sensor, binary_sensor, ...
  std::string key;        // last_plate, ...
};

class Builder {
 public:
  explicit Builder(const DiscoveryInput& input)
      : input_(input), node_(haNodeId(input.message.gatewayId)) {}

  std::string topic(const Entity& entity, int gate) const {
    return input_.ha.prefix + "/" + entity.component + "/" + node_ + "/gate" +
           std::to_string(gate) + "_" + entity.key + "/config";
  }

  // What every entity carries: identity, the device, availability from the status topic.
  Object::Ptr common(const Entity& entity, int gate, const std::string& name) const {
    const std::string objectId = node_ + "_gate" + std::to_string(gate) + "_" + entity.key;
    auto out = orderedObject();
    out->set("name", "Gate " + std::to_string(gate) + " " + name);
    out->set("unique_id", objectId);
    // HA 2025.10 replaced object_id by default_entity_id (object_id stops working in 2026.4).
    out->set("default_entity_id", entity.component + "." + objectId);
    out->set("device", device());
    out->set("origin", origin());
    out->set("availability_topic", statusTopic(input_.message));
    out->set("payload_available", "online");
    out->set("payload_not_available", "offline");
    out->set("qos", 1);
    return out;
  }

 private:
  Object::Ptr device() const {
    auto identifiers = new Array;
    identifiers->add("lpr-gateway_" + input_.message.gatewayId);
    auto out = orderedObject();
    out->set("identifiers", Array::Ptr(identifiers));
    out->set("name", "LPR gateway " + input_.message.gatewayId);
    out->set("manufacturer", "lpr-gateway");
    out->set("model", "lpr-gateway");
    out->set("sw_version", input_.version);
    return out;
  }

  Object::Ptr origin() const {
    auto out = orderedObject();
    out->set("name", "lpr-gateway");
    out->set("sw_version", input_.version);
    return out;
  }

  const DiscoveryInput& input_;
  std::string node_;
};

}  // namespace

std::string haStatusTopic(const HaOptions& ha) { return ha.prefix + "/status"; }

std::string haNodeId(const std::string& gatewayId) {
  std::string out = "lpr_";
  for (char c : gatewayId) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-';
    out += allowed ? c : '_';
  }
  return out;
}

std::vector<int> haGates(const DiscoveryInput& input) {
  std::set<int> gates(input.ha.gates.begin(), input.ha.gates.end());
  gates.insert(input.barrierGates.begin(), input.barrierGates.end());
  return {gates.begin(), gates.end()};
}

std::vector<RetainedMessage> haDiscoveryMessages(const DiscoveryInput& input) {
  const Builder builder(input);
  const std::set<int> barriers(input.barrierGates.begin(), input.barrierGates.end());
  std::vector<RetainedMessage> out;
  for (int gate : haGates(input)) {
    const std::string last = gateLastTopic(input.message, gate);
    const std::string events = gateEventTopic(input.message, gate);

    const Entity sensor{"sensor", "last_plate"};
    auto plate = builder.common(sensor, gate, "last plate");
    plate->set("state_topic", last);
    plate->set("value_template", kPlateTemplate);
    plate->set("json_attributes_topic", last);
    plate->set("json_attributes_template", kLastAttributesTemplate);
    plate->set("icon", "mdi:car");
    out.push_back({builder.topic(sensor, gate), stringify(plate)});

    const Entity presence{"binary_sensor", "authorized_vehicle"};
    auto present = builder.common(presence, gate, "authorized vehicle present");
    // Not the retained last topic: after an HA restart an old grant would read as a car now.
    present->set("state_topic", events);
    present->set("value_template", kPresenceTemplate);
    present->set("payload_on", "ON");
    present->set("payload_off", "OFF");
    present->set("off_delay", input.ha.presenceHoldS);
    present->set("device_class", "presence");
    out.push_back({builder.topic(presence, gate), stringify(present)});

    const Entity event{"event", "access"};
    auto access = builder.common(event, gate, "access");
    access->set("state_topic", events);
    access->set("value_template", kEventTemplate);
    auto types = new Array;
    for (const char* type : {"granted", "denied", "undecided", "refined"}) types->add(type);
    access->set("event_types", Array::Ptr(types));
    access->set("icon", "mdi:boom-gate");
    out.push_back({builder.topic(event, gate), stringify(access)});

    const Entity image{"image", "snapshot"};
    if (input.message.snapshotBaseUrl.empty()) {
      out.push_back({builder.topic(image, gate), ""});
    } else {
      auto snapshot = builder.common(image, gate, "snapshot");
      snapshot->set("url_topic", last);
      snapshot->set("url_template", kSnapshotTemplate);
      snapshot->set("content_type", "image/jpeg");
      out.push_back({builder.topic(image, gate), stringify(snapshot)});
    }

    const Entity button{"button", "open"};
    if (!input.openCommands || barriers.count(gate) == 0) {
      out.push_back({builder.topic(button, gate), ""});
    } else {
      auto open = builder.common(button, gate, "open");
      open->set("command_topic", gateOpenTopic(input.message, gate));
      open->set("payload_press", kPressPayload);
      open->set("retain", false);
      open->set("icon", "mdi:gate-open");
      out.push_back({builder.topic(button, gate), stringify(open)});
    }
  }
  return out;
}

}  // namespace lpr::plugins::sink_mqtt
