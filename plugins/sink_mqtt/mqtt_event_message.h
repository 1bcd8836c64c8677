#pragma once

#include <string>

#include "bus/plate_event.h"

namespace lpr::plugins::sink_mqtt {

// Raised on any change to the payload that breaks a consumer; the schema file carries the same
// number in its name (schema/license-plate-recognized.v<N>.schema.json).
inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kEventName = "LicensePlateRecognized";
// The route of proc_authorize's management API that serves an event's snapshot.
inline constexpr const char* kSnapshotRoute = "/api/v1/snapshots/";

struct MessageOptions {
  std::string topicPrefix = "lpr";
  std::string gatewayId;
  bool maskPlate = false;  // plate and plate_raw become e.g. "AB***CD"
  // Base of the gateway's HTTP server as consumers reach it (http://10.0.0.5:8080); empty: no
  // snapshot_url is published.
  std::string snapshotBaseUrl;
};

struct MqttEventMessage {
  std::string topic;
  std::string payload;  // JSON, UTF-8
};

// <prefix>/<gateway_id>/event/LicensePlateRecognized
std::string eventTopic(const MessageOptions& options);
// <prefix>/<gateway_id>/status, retained "online" / "offline"
std::string statusTopic(const MessageOptions& options);
// <prefix>/<gateway_id>/gate/<access_point>: the per-gate topics below it.
std::string gateTopic(const MessageOptions& options, int accessPoint);
// .../gate/<ap>/last: retained, the newest event of that gate (same payload as the event).
std::string gateLastTopic(const MessageOptions& options, int accessPoint);
// .../gate/<ap>/event: not retained, every event of that gate (same payload as the event).
std::string gateEventTopic(const MessageOptions& options, int accessPoint);
// .../gate/<ap>/open: the command topic; .../gate/<ap>/open/result: what came of a command.
std::string gateOpenTopic(const MessageOptions& options, int accessPoint);
std::string gateOpenResultTopic(const MessageOptions& options, int accessPoint);
// <prefix>/<gateway_id>/gate/+/open: the subscription for the commands of every gate.
std::string gateOpenFilter(const MessageOptions& options);

// <snapshotBaseUrl>/api/v1/snapshots/<event id> when the base is set and the event has a
// snapshot, else empty.
std::string snapshotUrl(const PlateEvent& event, const MessageOptions& options);

// Pure mapping PlateEvent -> MQTT message; the payload is documented in README.md and
// described by schema/license-plate-recognized.v1.schema.json.
MqttEventMessage toMqttEventMessage(const PlateEvent& event, const MessageOptions& options);

// Keeps the first two and last two characters (UTF-8 code points) and stars the rest; texts of
// four characters or fewer are starred completely, as they would otherwise stay readable.
std::string maskPlateText(const std::string& plate);

// Empty when usable in the topics above, else what is wrong: the prefix may span levels
// ("site/lpr") but has no wildcards and no empty levels; the gateway id is a single level.
std::string topicPrefixProblem(const std::string& prefix);
std::string topicLevelProblem(const std::string& level);

}  // namespace lpr::plugins::sink_mqtt
