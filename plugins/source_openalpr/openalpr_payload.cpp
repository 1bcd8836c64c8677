#include "openalpr_payload.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <optional>
#include <string>

#include "webhook/payload_values.h"

namespace lpr::plugins::source_openalpr {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxResults = 64;

void setText(PlateEvent& event, const std::string& attribute, const Object& object,
             const std::string& key) {
  if (auto value = jsonText(object, key); value && !value->empty()) {
    event.attributes[attribute] = *value;
  }
}

// The Agent's vehicle{} lists candidates per property: {"color":[{"name":"blue",...}],...}.
void setVehicleProperty(PlateEvent& event, const Object& vehicle, const std::string& key) {
  if (!vehicle.has(key)) return;
  Array::Ptr list = vehicle.getArray(key);
  if (list.isNull() || list->size() == 0) return;
  Object::Ptr best = list->getObject(0);
  if (best.isNull()) return;
  setText(event, "vehicle_" + key, *best, "name");
}

// 0–100 → 0..1; an absent confidence is no error, a wrong one is.
std::optional<std::string> readConfidence(const Object& object, const std::string& key,
                                          PlateEvent& event) {
  if (!object.has(key) || object.get(key).isEmpty()) return std::nullopt;
  const auto value = jsonNumber(object, key);
  const auto normalized = value ? normalizedConfidence(*value, 100.0) : std::nullopt;
  if (!normalized) return std::string("not a number in 0..100");
  event.confidence = normalized;
  return std::nullopt;
}

// Epoch milliseconds → capturedAt; absent: the time of receipt.
std::optional<std::string> readEpochMs(const Object& object, const std::string& key,
                                       TimePoint receivedAt, PlateEvent& event) {
  event.capturedAt = receivedAt;
  if (!object.has(key) || object.get(key).isEmpty()) return std::nullopt;
  const auto value = jsonNumber(object, key);
  const auto time = value ? fromEpochMs(*value) : std::nullopt;
  if (!time) return std::string("not epoch milliseconds between 2000 and 2100");
  event.capturedAt = *time;
  return std::nullopt;
}

Conversion frames(const Object& root, const WebhookRequest& request) {
  Conversion out;
  if (!root.has("results") || root.getArray("results").isNull()) {
    return Conversion::failure("missing_field", "results", "no \"results\" array");
  }
  const Array::Ptr results = root.getArray("results");
  if (results->size() > kMaxResults) {
    return Conversion::failure("bad_value", "results",
                               "more than " + std::to_string(kMaxResults) + " results");
  }
  if (results->size() == 0) {
    out.ignored = "frame without plates";
    return out;
  }
  const std::string uuid = jsonText(root, "uuid").value_or("");
  const std::string cameraId = jsonText(root, "camera_id").value_or("");
  const std::string siteId = jsonText(root, "site_id").value_or("");
  const std::string epoch = jsonText(root, "epoch_time").value_or("");
  for (std::size_t i = 0; i < results->size(); ++i) {
    const std::string field = "results[" + std::to_string(i) + "]";
    const Object::Ptr result = results->getObject(static_cast<unsigned>(i));
    if (result.isNull()) return Conversion::failure("bad_value", field, "not an object");
    const auto plate = jsonText(*result, "plate");
    if (auto problem = plateTextProblem(plate, field + ".plate")) {
      return Conversion::failure(*problem);
    }
    ConvertedRead read;
    PlateEvent& event = read.event;
    // alprd always sends a uuid; without one, a content id still recognises a re-send.
    event.sourceEventId = uuid.empty()
                              ? contentId({cameraId, siteId, epoch, std::to_string(i), *plate})
                              : uuid + "#" + std::to_string(i);
    event.plateRaw = *plate;
    event.plate = *plate;
    if (auto why = readConfidence(*result, "confidence", event)) {
      return Conversion::failure("bad_value", field + ".confidence", *why);
    }
    if (auto why = readEpochMs(root, "epoch_time", request.receivedAt, event)) {
      return Conversion::failure("bad_value", "epoch_time", *why);
    }
    setText(event, "region", *result, "region");
    setText(event, "region_confidence", *result, "region_confidence");
    if (!cameraId.empty()) event.attributes["camera_id"] = cameraId;
    if (!siteId.empty()) event.attributes["site_id"] = siteId;
    if (!uuid.empty()) event.attributes["uuid"] = uuid;
    out.reads.push_back(std::move(read));
  }
  return out;
}

Conversion group(const Object& root, const WebhookRequest& request,
                 const OpenAlprOptions& options) {
  Conversion out;
  bool preview = false;
  if (root.has("is_preview")) {
    const auto value = root.get("is_preview");
    if (value.isBoolean()) {
      preview = value.extract<bool>();
    } else if (!value.isEmpty()) {
      return Conversion::failure("bad_value", "is_preview", "not true or false");
    }
  }
  if (preview && !options.previewsAsReads) {
    // The final group of the same vehicle follows with the best text (previews = ignore).
    out.ignored = "preview group";
    return out;
  }
  auto plate = jsonText(root, "best_plate_number");
  if (!plate && root.has("best_plate")) {
    if (Object::Ptr best = root.getObject("best_plate"); !best.isNull()) {
      plate = jsonText(*best, "plate");
    }
  }
  if (auto problem = plateTextProblem(plate, "best_plate_number")) {
    return Conversion::failure(*problem);
  }
  const auto bestUuid = jsonText(root, "best_uuid");
  if (!bestUuid || bestUuid->empty()) {
    return Conversion::failure("missing_field", "best_uuid", "no best_uuid (the group's id)");
  }
  std::string firstUuid = *bestUuid;
  if (root.has("uuids")) {
    if (Array::Ptr uuids = root.getArray("uuids"); !uuids.isNull() && uuids->size() > 0) {
      if (auto first = uuids->get(0); first.isString()) firstUuid = first.extract<std::string>();
    }
  }

  ConvertedRead read;
  PlateEvent& event = read.event;
  event.sourceEventId =
      preview ? "preview:" + *bestUuid + ":" + jsonText(root, "epoch_end").value_or("")
              : "group:" + *bestUuid;
  // The first frame starts the group in the preview and in the final post alike [unconfirmed]:
  // the final group then refines the preview's vehicle instead of being a second one.
  event.vehicleId = firstUuid;
  event.plateRaw = *plate;
  event.plate = *plate;
  if (auto why = readConfidence(root, "best_confidence", event)) {
    return Conversion::failure("bad_value", "best_confidence", *why);
  }
  if (auto why = readEpochMs(root, "epoch_start", request.receivedAt, event)) {
    return Conversion::failure("bad_value", "epoch_start", *why);
  }
  setText(event, "region", root, "best_region");
  setText(event, "country", root, "country");
  setText(event, "camera_id", root, "camera_id");
  setText(event, "agent_uid", root, "agent_uid");
  setText(event, "direction_deg", root, "travel_direction");
  setText(event, "is_parked", root, "is_parked");
  event.attributes["best_uuid"] = *bestUuid;
  if (preview) event.attributes["is_preview"] = "true";
  if (root.has("vehicle")) {
    if (Object::Ptr vehicle = root.getObject("vehicle"); !vehicle.isNull()) {
      for (const char* key : {"color", "make", "make_model", "body_type"}) {
        setVehicleProperty(event, *vehicle, key);
      }
    }
  }
  if (auto crop = jsonText(root, "vehicle_crop_jpeg"); crop && !crop->empty()) {
    auto bytes = decodeBase64(*crop, options.maxImageBytes);
    std::string extension = bytes ? imageExtension(*bytes) : std::string();
    if (extension.empty()) {
      out.warnings.push_back(
          {"bad_image", "vehicle_crop_jpeg", "not base64 of a JPEG or PNG within the size limit"});
    } else {
      read.image = std::move(*bytes);
      read.imageExtension = extension;
    }
  }
  out.reads.push_back(std::move(read));
  return out;
}

}  // namespace

Conversion convertOpenAlpr(const WebhookRequest& request, const OpenAlprOptions& options) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(request.body);
    if (parsed.type() == typeid(Object::Ptr)) root = parsed.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return Conversion::failure("malformed_json", "", "body is not valid JSON");
  }
  if (root.isNull()) return Conversion::failure("malformed_json", "", "body is not a JSON object");

  const auto type = jsonText(*root, "data_type");
  if (!type) {
    if (root->has("openalpr_webhook")) {
      Conversion out;
      out.ignored = "webhook test post";
      return out;
    }
    return Conversion::failure("missing_field", "data_type", "no \"data_type\"");
  }
  if (*type == "alpr_results") {
    if (!options.acceptFrames) {
      Conversion out;
      out.ignored = "alpr_results (frames = ignore)";
      return out;
    }
    return frames(*root, request);
  }
  if (*type == "alpr_group") return group(*root, request, options);
  if (*type == "heartbeat" || *type == "alpr_heartbeat") {
    Conversion out;
    out.heartbeat = true;
    return out;
  }
  if (*type == "alpr_alert") {
    // An alert repeats a group already posted, matched against an alert list.
    Conversion out;
    out.ignored = "alpr_alert";
    return out;
  }
  return Conversion::failure("unsupported_type", "data_type",
                             "data_type \"" + type->substr(0, 40) + "\" is not alpr_results, " +
                                 "alpr_group or heartbeat");
}

}  // namespace lpr::plugins::source_openalpr
