#pragma once

#include <optional>
#include <string>

#include "bus/plate_event.h"
#include "mqtt_event_message.h"

namespace lpr::plugins::sink_mqtt {

// What a message on <prefix>/<gateway>/gate/<ap>/open asks for. Accepted payloads: the text
// OPEN (what the Home Assistant button sends), or a JSON object with optional string members
// "reason" (for the log) and "request_id" (echoed in the result); nothing else.
struct OpenCommand {
  std::optional<int> accessPoint;  // from the topic; empty when that level is not a number
  std::string reason;
  std::string requestId;
  std::string error;  // non-empty: malformed, and why
};

inline constexpr std::size_t kMaxCommandBytes = 1024;

OpenCommand parseOpenCommand(const MessageOptions& options, const std::string& topic,
                             const std::string& payload);

// The JSON published (not retained) on <command topic>/result.
std::string openResultPayload(const OpenCommand& command, const std::string& result,
                              const std::string& detail, const std::string& requestedBy,
                              TimePoint at);

}  // namespace lpr::plugins::sink_mqtt
