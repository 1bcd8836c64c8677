#pragma once

#include <string>

#include "bus/plate_event.h"

namespace lpr::plugins::sink_mqtt {

inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kEventName = "LicensePlateRecognized";

struct MessageOptions {
  std::string topicPrefix = "lpr";
  std::string gatewayId;
  bool maskPlate = false;  // plate and plate_raw become e.g. "AB***CD"
};

struct MqttEventMessage {
  std::string topic;
  std::string payload;  // JSON, UTF-8
};

// <prefix>/<gateway_id>/event/LicensePlateRecognized
std::string eventTopic(const MessageOptions& options);
// <prefix>/<gateway_id>/status, retained "online" / "offline"
std::string statusTopic(const MessageOptions& options);

// Pure mapping PlateEvent -> MQTT message; the payload is documented in README.md.
MqttEventMessage toMqttEventMessage(const PlateEvent& event, const MessageOptions& options);

// Keeps the first two and last two characters (UTF-8 code points) and stars the rest; texts of
// four characters or fewer are starred completely, as they would otherwise stay readable.
std::string maskPlateText(const std::string& plate);

// Empty when usable in the topics above, else what is wrong: the prefix may span levels
// ("site/lpr") but has no wildcards and no empty levels; the gateway id is a single level.
std::string topicPrefixProblem(const std::string& prefix);
std::string topicLevelProblem(const std::string& level);

}  // namespace lpr::plugins::sink_mqtt
