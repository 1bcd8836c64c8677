#include "dahua_its_converter.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <string>

namespace lpr::plugins::source_dahua_its {

namespace {

using Poco::JSON::Object;

Object::Ptr childObject(const Object::Ptr& object, const std::string& key) {
  if (!object || !object->has(key)) return nullptr;
  return object->getObject(key);  // null when the member is not an object
}

std::string text(const Object::Ptr& object, const std::string& key) {
  if (!object) return {};
  return Poco::trim(jsonText(*object, key).value_or(""));
}

// [x1, y1, x2, y2] as "x1,y1,x2,y2" [U: probably normalised to 8192].
std::string numbers(const Object::Ptr& object, const std::string& key) {
  if (!object || !object->has(key)) return {};
  const Poco::JSON::Array::Ptr array = object->getArray(key);
  if (!array || array->size() > 16) return {};
  std::string out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Poco::Dynamic::Var value = array->get(static_cast<unsigned>(i));
    if (!value.isNumeric()) return {};
    if (!out.empty()) out += ',';
    out += value.convert<std::string>();
  }
  return out;
}

std::string lastSegment(const std::string& path) {
  std::string trimmed = path;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
  return trimmed.substr(trimmed.rfind('/') + 1);
}

void keepImage(const Object::Ptr& picture, ConvertedRead& read, Conversion& conversion) {
  for (const char* name : {"NormalPic", "CutoutPic"}) {
    const Object::Ptr pic = childObject(picture, name);
    const std::string content = text(pic, "Content");
    if (content.empty()) continue;
    const std::string field = std::string("Picture.") + name + ".Content";
    const auto bytes = decodeBase64(content, content.size());
    const std::string extension = bytes ? imageExtension(*bytes) : std::string();
    if (extension.empty()) {
      conversion.warnings.push_back(
          {"bad_image", field, bytes ? "not a JPEG or PNG picture" : "not base64"});
      continue;
    }
    read.image = *bytes;
    read.imageExtension = extension;
    return;
  }
}

// Vendor extras kept on the event: (object, key, attribute name).
const struct {
  const char* object;
  const char* key;
  const char* attribute;
} kAttributes[] = {
    {"SnapInfo", "DeviceID", "DeviceID"},
    {"SnapInfo", "Direction", "Direction"},
    {"SnapInfo", "TimeZone", "TimeZone"},
    {"SnapInfo", "AllowUser", "AllowUser"},
    {"SnapInfo", "BlockUser", "BlockUser"},
    {"Plate", "Channel", "Channel"},
    {"Plate", "PlateColor", "PlateColor"},
    {"Plate", "PlateType", "PlateType"},
    {"Plate", "Region", "Region"},
    {"Plate", "UploadNum", "UploadNum"},
    {"Vehicle", "VehicleColor", "VehicleColor"},
    {"Vehicle", "VehicleType", "VehicleType"},
    {"Vehicle", "VehicleSeries", "VehicleSeries"},
    {"Vehicle", "VehicleSign", "VehicleSign"},
};

}  // namespace

Conversion convertDahuaIts(const WebhookRequest& request, const DahuaOptions& options) {
  const std::string kind = lastSegment(request.path);
  if (Poco::icompare(kind, "KeepAlive") == 0 || Poco::icompare(kind, "DeviceInfo") == 0) {
    Conversion conversion;
    conversion.heartbeat = true;
    return conversion;
  }
  if (Poco::icompare(kind, "TollgateInfo") != 0) {
    Conversion conversion;
    conversion.ignored = "notification " + kind + " is not TollgateInfo";
    return conversion;
  }

  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(request.body).extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Conversion::failure("malformed_json", "", "body is not a JSON object: " + e.message());
  } catch (const std::exception&) {
    return Conversion::failure("malformed_json", "", "body is not a JSON object");
  }
  if (!root) return Conversion::failure("malformed_json", "", "body is not a JSON object");

  const Object::Ptr picture = childObject(root, "Picture");
  if (!picture) return Conversion::failure("missing_field", "Picture", "no Picture object");
  const Object::Ptr plateInfo = childObject(picture, "Plate");
  if (!plateInfo) {
    return Conversion::failure("missing_field", "Picture.Plate", "no Picture.Plate object");
  }
  if (!jsonText(*plateInfo, "PlateNumber")) {
    return Conversion::failure("missing_field", "Picture.Plate.PlateNumber",
                               "no plate number in the notification");
  }
  const std::string plate = text(plateInfo, "PlateNumber");
  if (plate.empty() || Poco::icompare(plate, "unknown") == 0) {
    Conversion conversion;
    conversion.ignored = "no plate read";
    return conversion;
  }
  const Object::Ptr snap = childObject(picture, "SnapInfo");

  ConvertedRead read;
  PlateEvent& event = read.event;
  event.plateRaw = plate;
  event.plate = plate;

  if (plateInfo->has("Confidence") && !plateInfo->get("Confidence").isEmpty()) {
    const auto number = jsonNumber(*plateInfo, "Confidence");
    const auto normalized = number ? normalizedConfidence(*number, 100) : std::nullopt;
    if (!normalized) {
      return Conversion::failure("bad_value", "Picture.Plate.Confidence",
                                 "Confidence is not a number 0..100");
    }
    event.confidence = normalized;
  }

  const std::string accurateTime = text(snap, "AccurateTime");
  event.capturedAt = request.receivedAt;
  if (!accurateTime.empty()) {
    int ms = 0;
    const auto local = parseLocalDateTime(accurateTime, &ms);
    if (!local) {
      return Conversion::failure("bad_value", "Picture.SnapInfo.AccurateTime",
                                 "AccurateTime is not YYYY-MM-DD HH:MM:SS[.fff]");
    }
    // A TimeZone given as an offset or a zone name wins; a number is an index into a table
    // Dahua does not publish for this API [U], so the configured zone applies (as it does for
    // "system", which would name the gateway's zone, not the camera's).
    const auto payloadZone = LocalZone::parse(text(snap, "TimeZone"));
    const bool usable = payloadZone && payloadZone->kind != LocalZone::Kind::System;
    event.capturedAt = (usable ? *payloadZone : options.zone).toUtc(*local, ms);
  }

  const std::string direction = text(snap, "Direction");
  if (Poco::icompare(direction, "Approach") == 0) {
    event.direction = options.approach;
  } else if (Poco::icompare(direction, "Leave") == 0 || Poco::icompare(direction, "Away") == 0) {
    event.direction = options.approach == Direction::In ? Direction::Out : Direction::In;
  }

  // No event id in the payload: the fields a resend repeats, so the resend is a duplicate.
  event.sourceEventId =
      contentId({text(snap, "DeviceID"), text(plateInfo, "Channel"), accurateTime, plate});

  for (const auto& a : kAttributes) {
    const Object::Ptr object = std::string(a.object) == "Plate" ? plateInfo
                               : std::string(a.object) == "SnapInfo"
                                   ? snap
                                   : childObject(picture, a.object);
    const std::string value = text(object, a.key);
    if (!value.empty()) event.attributes[a.attribute] = value;
  }
  const std::string box = numbers(plateInfo, "BoundingBox");
  if (!box.empty()) event.attributes["BoundingBox"] = box;

  Conversion conversion;
  keepImage(picture, read, conversion);
  conversion.reads.push_back(std::move(read));
  return conversion;
}

}  // namespace lpr::plugins::source_dahua_its
