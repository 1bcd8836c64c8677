#include "mqtt_event_message.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSONString.h>

#include <sstream>

namespace lpr::plugins::sink_mqtt {
namespace {

Poco::Dynamic::Var optionalString(const std::optional<std::string>& value) {
  return value ? Poco::Dynamic::Var(*value) : Poco::Dynamic::Var();
}

// Object whose keys keep the documented order, so payloads read the same as the README.
Poco::JSON::Object::Ptr orderedObject() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Poco::JSON::Object::Ptr decisionJson(const Decision& decision) {
  auto out = orderedObject();
  out->set("valid", decision.valid);
  out->set("uuid", optionalString(decision.uuid));
  out->set("user_name", optionalString(decision.userName));
  out->set("session", optionalString(decision.session));
  out->set("decided_by", decision.decidedBy);
  out->set("reason", decision.reason);
  out->set("decided_at", formatUtc(decision.decidedAt));
  return out;
}

}  // namespace

std::string eventTopic(const MessageOptions& options) {
  return options.topicPrefix + "/" + options.gatewayId + "/event/" + kEventName;
}

std::string statusTopic(const MessageOptions& options) {
  return options.topicPrefix + "/" + options.gatewayId + "/status";
}

std::string gateTopic(const MessageOptions& options, int accessPoint) {
  return options.topicPrefix + "/" + options.gatewayId + "/gate/" + std::to_string(accessPoint);
}

std::string gateLastTopic(const MessageOptions& options, int accessPoint) {
  return gateTopic(options, accessPoint) + "/last";
}

std::string gateEventTopic(const MessageOptions& options, int accessPoint) {
  return gateTopic(options, accessPoint) + "/event";
}

std::string gateOpenTopic(const MessageOptions& options, int accessPoint) {
  return gateTopic(options, accessPoint) + "/open";
}

std::string gateOpenResultTopic(const MessageOptions& options, int accessPoint) {
  return gateOpenTopic(options, accessPoint) + "/result";
}

std::string gateOpenFilter(const MessageOptions& options) {
  return options.topicPrefix + "/" + options.gatewayId + "/gate/+/open";
}

std::string snapshotUrl(const PlateEvent& event, const MessageOptions& options) {
  if (options.snapshotBaseUrl.empty() || event.imagePath.empty()) return {};
  std::string base = options.snapshotBaseUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + kSnapshotRoute + event.id;
}

MqttEventMessage toMqttEventMessage(const PlateEvent& event, const MessageOptions& options) {
  auto json = orderedObject();
  json->set("event", kEventName);
  json->set("schema_version", kSchemaVersion);
  json->set("gateway_id", options.gatewayId);
  json->set("id", event.id);
  json->set("source", event.sourceId);
  json->set("source_event_id", event.sourceEventId);
  json->set("vehicle_id", event.vehicleId);
  json->set("update_of",
            event.updateOf.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(event.updateOf));
  json->set("plate", options.maskPlate ? maskPlateText(event.plate) : event.plate);
  json->set("plate_raw", options.maskPlate ? maskPlateText(event.plateRaw) : event.plateRaw);
  json->set("country", event.country);
  json->set("confidence",
            event.confidence ? Poco::Dynamic::Var(*event.confidence) : Poco::Dynamic::Var());
  json->set("direction", toString(event.direction));
  json->set("access_point", event.accessPoint);
  json->set("captured_at", formatUtc(event.capturedAt));
  json->set("received_at", formatUtc(event.receivedAt));
  // The spool path is the gateway's business; consumers get a URL they can fetch, if any.
  const std::string url = snapshotUrl(event, options);
  json->set("snapshot_url", url.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(url));
  if (event.decision) {
    json->set("decision", decisionJson(*event.decision));
  } else {
    json->set("decision", Poco::Dynamic::Var());
  }
  std::ostringstream payload;
  json->stringify(payload);
  return {eventTopic(options), payload.str()};
}

std::string maskPlateText(const std::string& plate) {
  // Split into code points so that a multi-byte letter is starred whole, never cut in half.
  std::vector<std::string> chars;
  for (std::size_t i = 0; i < plate.size();) {
    unsigned char lead = static_cast<unsigned char>(plate[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 1;
    chars.push_back(plate.substr(i, length));
    i += length;
  }
  std::string out;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    bool keep = chars.size() > 4 && (i < 2 || i + 2 >= chars.size());
    out += keep ? chars[i] : "*";
  }
  return out;
}

std::string topicPrefixProblem(const std::string& prefix) {
  if (prefix.empty()) return "must not be empty";
  if (prefix.front() == '/' || prefix.back() == '/') return "must not start or end with '/'";
  if (prefix.find("//") != std::string::npos) return "must not contain empty levels ('//')";
  if (prefix.find_first_of("+#") != std::string::npos) return "must not contain '+' or '#'";
  if (prefix.find('\0') != std::string::npos) return "must not contain NUL";
  return {};
}

std::string topicLevelProblem(const std::string& level) {
  if (level.empty()) return "must not be empty";
  if (level.find_first_of("/+#") != std::string::npos) return "must not contain '/', '+' or '#'";
  if (level.find('\0') != std::string::npos) return "must not contain NUL";
  return {};
}

}  // namespace lpr::plugins::sink_mqtt
