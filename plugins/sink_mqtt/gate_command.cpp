#include "gate_command.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace lpr::plugins::sink_mqtt {
namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Reads an optional string member; records why in `error` when it is there but not a string.
std::string optionalMember(const Poco::JSON::Object& object, const std::string& key,
                           std::size_t maxLength, std::string& error) {
  if (!object.has(key) || object.isNull(key)) return {};
  const Poco::Dynamic::Var value = object.get(key);
  if (!value.isString()) {
    error = "\"" + key + "\" must be a string";
    return {};
  }
  std::string text = value.extract<std::string>();
  if (text.size() > maxLength) {
    error = "\"" + key + "\" is longer than " + std::to_string(maxLength) + " bytes";
    return {};
  }
  return text;
}

}  // namespace

OpenCommand parseOpenCommand(const MessageOptions& options, const std::string& topic,
                             const std::string& payload) {
  OpenCommand out;
  const std::string head = options.topicPrefix + "/" + options.gatewayId + "/gate/";
  const std::string tail = "/open";
  if (topic.size() > head.size() + tail.size() && topic.rfind(head, 0) == 0 &&
      topic.compare(topic.size() - tail.size(), tail.size(), tail) == 0) {
    const std::string level = topic.substr(head.size(), topic.size() - head.size() - tail.size());
    if (!level.empty() && level.size() <= 4 &&
        level.find_first_not_of("0123456789") == std::string::npos) {
      out.accessPoint = std::stoi(level);
    }
  }
  if (!out.accessPoint) {
    out.error = "the topic does not name an access point (" + head + "<number>" + tail + ")";
    return out;
  }
  if (payload.size() > kMaxCommandBytes) {
    out.error = "payload of " + std::to_string(payload.size()) + " bytes (at most " +
                std::to_string(kMaxCommandBytes) + ")";
    return out;
  }
  const std::string text = trimmed(payload);
  if (text == "OPEN") return out;
  if (text.empty() || text.front() != '{') {
    out.error = "payload is neither OPEN nor a JSON object";
    return out;
  }
  Poco::JSON::Object::Ptr object;
  try {
    object = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    out.error = "payload is not valid JSON: " + e.displayText();
    return out;
  } catch (const std::exception& e) {
    out.error = std::string("payload is not valid JSON: ") + e.what();
    return out;
  }
  for (const auto& [key, value] : *object) {
    if (key != "reason" && key != "request_id") {
      out.error = "unknown member \"" + key + "\" (allowed: reason, request_id)";
      return out;
    }
  }
  out.reason = optionalMember(*object, "reason", 200, out.error);
  if (out.error.empty()) out.requestId = optionalMember(*object, "request_id", 100, out.error);
  return out;
}

std::string openResultPayload(const OpenCommand& command, const std::string& result,
                              const std::string& detail, const std::string& requestedBy,
                              TimePoint at) {
  auto json = Poco::JSON::Object::Ptr(new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER));
  json->set("access_point",
            command.accessPoint ? Poco::Dynamic::Var(*command.accessPoint) : Poco::Dynamic::Var());
  json->set("result", result);
  json->set("detail", detail);
  json->set("request_id", command.requestId.empty() ? Poco::Dynamic::Var()
                                                    : Poco::Dynamic::Var(command.requestId));
  json->set("requested_by", requestedBy);
  json->set("at", formatUtc(at));
  std::ostringstream out;
  json->stringify(out);
  return out.str();
}

}  // namespace lpr::plugins::sink_mqtt
