#include "frigate_message.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <optional>
#include <vector>

#include "webhook/payload_values.h"

namespace lpr::plugins::source_frigate {
namespace {

using Poco::JSON::Object;

bool present(const Object& object, const std::string& key) {
  return object.has(key) && !object.get(key).isEmpty();
}

std::string scoreText(const std::optional<double>& score) {
  if (!score) return "-";
  char text[16];
  std::snprintf(text, sizeof(text), "%.4f", *score);
  return text;
}

// The fields both topics share, read from `object` under their own names; `prefix` names the
// object in errors ("after.").
struct PlateFields {
  std::string idKey, plateKey, scoreKey;
  std::vector<std::string> timeKeys;  // the first present one is capturedAt
};

Conversion read(const Object& object, const std::string& prefix, const PlateFields& keys,
                TimePoint receivedAt) {
  const auto id = jsonText(object, keys.idKey);
  if (!id || id->empty()) return Conversion::failure("missing_field", prefix + keys.idKey, "no id");
  const auto plate = jsonText(object, keys.plateKey);
  if (auto problem = plateTextProblem(plate, prefix + keys.plateKey)) {
    return Conversion::failure(*problem);
  }
  std::optional<double> score;
  if (present(object, keys.scoreKey)) {
    const auto value = jsonNumber(object, keys.scoreKey);
    score = value ? normalizedConfidence(*value, 1.0) : std::nullopt;
    if (!score) {
      return Conversion::failure("bad_value", prefix + keys.scoreKey, "not a number in 0..1");
    }
  }
  TimePoint capturedAt = receivedAt;
  for (const auto& key : keys.timeKeys) {
    if (!present(object, key)) continue;
    const auto value = jsonNumber(object, key);
    const auto time = value ? fromEpochSeconds(*value) : std::nullopt;
    if (!time) {
      return Conversion::failure("bad_value", prefix + key,
                                 "not epoch seconds between 2000 and 2100");
    }
    capturedAt = *time;
    break;
  }

  Conversion out;
  ConvertedRead converted;
  PlateEvent& event = converted.event;
  event.sourceEventId = *id + "|" + *plate + "|" + scoreText(score);
  event.vehicleId = *id;
  event.plateRaw = *plate;
  event.plate = *plate;
  event.confidence = score;
  event.capturedAt = capturedAt;
  if (auto camera = jsonText(object, "camera"); camera && !camera->empty()) {
    event.attributes["camera"] = *camera;
  }
  out.reads.push_back(std::move(converted));
  return out;
}

Conversion trackedObjectUpdate(const Object& root, TimePoint receivedAt) {
  const std::string type = jsonText(root, "type").value_or("");
  if (type != "lpr") {
    Conversion out;
    out.ignored = "tracked_object_update of type \"" + type.substr(0, 40) + "\"";
    return out;
  }
  Conversion out = read(root, "", {"id", "plate", "score", {"timestamp"}}, receivedAt);
  if (!out.reads.empty()) {
    PlateEvent& event = out.reads[0].event;
    // The operator's name for a known plate (known_plates), when it matched one.
    if (auto name = jsonText(root, "name"); name && !name->empty()) {
      event.attributes["known_name"] = *name;
    }
    event.attributes["frigate_topic"] = "tracked_object_update";
  }
  return out;
}

Conversion events(const Object& root, TimePoint receivedAt) {
  const std::string type = jsonText(root, "type").value_or("");
  if (type != "new" && type != "update" && type != "end") {
    return Conversion::failure("bad_value", "type", "not new, update or end");
  }
  const Object::Ptr after = root.has("after") ? root.getObject("after") : nullptr;
  if (after.isNull()) return Conversion::failure("missing_field", "after", "no \"after\" object");
  if (!present(*after, "recognized_license_plate")) {
    Conversion out;
    out.ignored = "event without a recognized plate";
    return out;
  }
  const Object::Ptr before = root.has("before") ? root.getObject("before") : nullptr;
  if (type == "update" && !before.isNull()) {
    // Frigate publishes an update for any change of the object (box, zones, snapshot); one
    // whose plate and score did not change is not a new read.
    if (jsonText(*before, "recognized_license_plate") ==
            jsonText(*after, "recognized_license_plate") &&
        jsonText(*before, "recognized_license_plate_score") ==
            jsonText(*after, "recognized_license_plate_score")) {
      Conversion out;
      out.ignored = "plate unchanged";
      return out;
    }
  }
  Conversion out = read(*after, "after.",
                        {"id",
                         "recognized_license_plate",
                         "recognized_license_plate_score",
                         {"frame_time", "start_time"}},
                        receivedAt);
  if (!out.reads.empty()) {
    PlateEvent& event = out.reads[0].event;
    if (auto label = jsonText(*after, "label"); label && !label->empty()) {
      event.attributes["label"] = *label;
    }
    event.attributes["frigate_topic"] = "events";
    event.attributes["frigate_event"] = type;
  }
  return out;
}

}  // namespace

Conversion convertFrigateMessage(const std::string& topic, const std::string& payload,
                                 const FrigateOptions& options, TimePoint receivedAt) {
  const std::string updates = options.topicPrefix + "/tracked_object_update";
  const std::string eventsTopic = options.topicPrefix + "/events";
  if (topic != updates && topic != eventsTopic) {
    Conversion out;
    out.ignored = "topic " + topic.substr(0, 100) + " carries no plate reads";
    return out;
  }
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(payload);
    if (parsed.type() == typeid(Object::Ptr)) root = parsed.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return Conversion::failure("malformed_json", "", "payload is not valid JSON");
  }
  if (root.isNull()) {
    return Conversion::failure("malformed_json", "", "payload is not a JSON object");
  }
  return topic == updates ? trackedObjectUpdate(*root, receivedAt) : events(*root, receivedAt);
}

}  // namespace lpr::plugins::source_frigate
