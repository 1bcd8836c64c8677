#include "alpv_event.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <ctime>

#include "webhook/multipart_body.h"
#include "webhook/payload_values.h"

namespace lpr::plugins::source_axis_alpv {

namespace {

// Larger than any frame ALPV sends; the route's max_body_bytes bounds it anyway.
constexpr std::size_t kMaxImageBytes = 16u << 20;
constexpr std::size_t kMaxPlateChars = 32;

std::string lower(std::string text) { return Poco::toLower(text); }

std::string textOr(const Poco::JSON::Object& object, const std::string& key) {
  return jsonText(object, key).value_or("");
}

std::string trimmed(const std::string& text) { return Poco::trim(text); }

// "YYYYMMDD HHMMSSFFF+HHMM" → UTC. Only with the zone suffix: without it the camera's zone is
// not known [U], and the read takes its receive time instead.
std::optional<TimePoint> parseDatetimeWithZone(const std::string& text) {
  if (text.size() != 23 || text[8] != ' ' || (text[18] != '+' && text[18] != '-')) {
    return std::nullopt;
  }
  auto number = [&](std::size_t pos, std::size_t count) {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  std::tm tm{};
  const int year = number(0, 4), month = number(4, 2), day = number(6, 2);
  const int hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  const int ms = number(15, 3), zoneH = number(19, 2), zoneM = number(21, 2);
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 ||
      hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 || ms < 0 || zoneH < 0 ||
      zoneH > 14 || zoneM < 0 || zoneM > 59) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const int offset = (text[18] == '-' ? -1 : 1) * (zoneH * 60 + zoneM);
  return LocalZone::fixed(offset).toUtc(tm, ms);
}

// A heartbeat (§1.1 item 4) has status blocks and no plate.
bool isHeartbeat(const Poco::JSON::Object& root) {
  if (root.has("plateText") || root.has("plateUTF8") || root.has("carID")) return false;
  return root.getObject("system") || root.getObject("identify") || root.getObject("ALPV");
}

struct Payload {
  Poco::JSON::Object::Ptr root;
  std::string image;  // multipart `image` part
  bool multipart = false;
};

// The event JSON and, for multipart, the image part; an error names the part or field.
std::variant<Payload, InputError> readPayload(const WebhookRequest& request) {
  Payload payload;
  std::string json;
  if (isMultipart(request.contentType)) {
    auto parsed = parseMultipart(request.body, request.contentType);
    if (auto* error = std::get_if<InputError>(&parsed)) return *error;
    const auto& parts = std::get<std::vector<MultipartPart>>(parsed);
    const MultipartPart* event = findPart(parts, "event");
    if (!event) {
      for (const auto& part : parts) {
        if (mediaType(part.contentType) == "application/json") {
          event = &part;
          break;
        }
      }
    }
    if (!event) return InputError{"missing_field", "event", "no multipart part named event"};
    json = event->body;
    if (const MultipartPart* image = findPart(parts, "image")) payload.image = image->body;
    payload.multipart = true;
  } else {
    const std::string type = mediaType(request.contentType);
    if (!type.empty() && type != "application/json" && type != "text/json" &&
        type != "text/plain") {
      return InputError{"unsupported_type", "Content-Type",
                        "expected application/json or multipart/form-data, got " + type};
    }
    json = request.body;
  }
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var value = parser.parse(json);
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
      return InputError{"malformed_json", payload.multipart ? "event" : "",
                        "the event is not a JSON object"};
    }
    payload.root = value.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return InputError{"malformed_json", payload.multipart ? "event" : "",
                      "the event is not JSON: " + e.message()};
  }
  if (!payload.root) return InputError{"malformed_json", "", "the event is not a JSON object"};
  return payload;
}

// The main image: the multipart `image` part, else the first ImageArray entry. Its type
// (frame, vehicle, plate crop) is the one chosen with imageType in the camera's push profile;
// the optional second image (send_second_image) is not kept.
void takeImage(const Payload& payload, Conversion& conversion, ConvertedRead& read) {
  std::string bytes = payload.image;
  std::string field = "image";
  if (bytes.empty()) {
    const Poco::JSON::Array::Ptr images = payload.root->getArray("ImageArray");
    if (!images || images->size() == 0) return;
    const Poco::JSON::Object::Ptr first = images->getObject(0);
    field = "ImageArray[0].BinaryImage";
    const std::string text = first ? textOr(*first, "BinaryImage") : std::string();
    if (text.empty()) {
      conversion.warnings.push_back({"bad_image", field, "no BinaryImage in the first entry"});
      return;
    }
    auto decoded = decodeBase64(text, kMaxImageBytes);
    if (!decoded) {
      conversion.warnings.push_back({"bad_image", field, "not base64, or too large"});
      return;
    }
    bytes = std::move(*decoded);
  }
  const std::string extension = imageExtension(bytes);
  if (extension.empty()) {
    conversion.warnings.push_back({"bad_image", field, "neither JPEG nor PNG"});
    return;
  }
  read.image = std::move(bytes);
  read.imageExtension = extension;
}

void keep(PlateEvent& event, const std::string& name, const std::string& value) {
  if (!value.empty()) event.attributes[name] = value;
}

}  // namespace

Conversion convertAlpvPost(const WebhookRequest& request, const AlpvOptions& options) {
  auto parsed = readPayload(request);
  if (auto* error = std::get_if<InputError>(&parsed)) {
    Conversion failed;
    failed.error = *error;
    return failed;
  }
  const Payload& payload = std::get<Payload>(parsed);
  const Poco::JSON::Object& root = *payload.root;

  Conversion conversion;
  if (isHeartbeat(root)) {
    conversion.heartbeat = true;
    return conversion;
  }

  std::string plate;
  for (const char* key : {"plateText", "plateUTF8", "plateUnicode", "plateASCII"}) {
    plate = trimmed(textOr(root, key));
    if (!plate.empty()) break;
  }
  if (plate.empty()) return Conversion::failure("missing_field", "plateText", "no plate text");
  if (plate.size() > kMaxPlateChars) {
    return Conversion::failure("bad_value", "plateText",
                               "longer than " + std::to_string(kMaxPlateChars) + " bytes");
  }

  std::string state = lower(trimmed(textOr(root, "carState")));
  if (state == "updated") state = "update";
  if (!state.empty() && state != "new" && state != "update" && state != "lost") {
    return Conversion::failure("bad_value", "carState", "expected new, update(d) or lost");
  }
  if (state == "lost" && !options.keepLost) {
    conversion.ignored = "carState lost (lost = ignore)";
    return conversion;
  }

  ConvertedRead read;
  PlateEvent& event = read.event;
  event.plateRaw = plate;
  event.plate = plate;
  event.country = trimmed(textOr(root, "plateCountry"));

  if (const auto text = jsonText(root, "plateConfidence"); text && !trimmed(*text).empty()) {
    const auto value = parseNumber(*text);
    const auto confidence = value ? normalizedConfidence(*value, 1.0) : std::nullopt;
    if (!confidence) return Conversion::failure("bad_value", "plateConfidence", "expected 0..1");
    event.confidence = confidence;
  }

  const std::string direction = lower(trimmed(textOr(root, "carMoveDirection")));
  if (direction == "in") {
    event.direction = Direction::In;
  } else if (direction == "out") {
    event.direction = Direction::Out;
  } else if (!direction.empty() && direction != "unknown" && direction != "unk") {
    return Conversion::failure("bad_value", "carMoveDirection", "expected in, out or unknown");
  }

  event.capturedAt = request.receivedAt;
  if (const auto text = jsonText(root, "capture_timestamp"); text && !trimmed(*text).empty()) {
    const auto ms = parseNumber(*text);
    const auto time = ms ? fromEpochMs(*ms) : std::nullopt;
    if (!time) {
      return Conversion::failure("bad_value", "capture_timestamp",
                                 "expected milliseconds since 1970 (UTC)");
    }
    event.capturedAt = *time;
  } else if (const auto time = parseDatetimeWithZone(trimmed(textOr(root, "datetime")))) {
    event.capturedAt = *time;
  }

  // Several cameras may post to one route: their carIDs are only unique per camera.
  std::string serial, mac, model;
  if (const Poco::JSON::Object::Ptr camera = root.getObject("camera_info")) {
    serial = trimmed(textOr(*camera, "SerialNumber"));
    mac = trimmed(textOr(*camera, "MACAddress"));
    model = trimmed(textOr(*camera, "ProdShortName"));
  }
  const std::string provider = trimmed(textOr(root, "sensorProviderID"));
  const std::string camera = !serial.empty() ? serial : !mac.empty() ? mac : provider;
  const std::string carId = trimmed(textOr(root, "carID"));
  const std::string captureTs = trimmed(textOr(root, "capture_timestamp"));
  const std::string counter = trimmed(textOr(root, "packetCounter"));
  if (!carId.empty()) event.vehicleId = camera.empty() ? carId : camera + "/" + carId;
  // No vendor event id: each state post of a car is its own read, and a post re-sent from the
  // camera's event buffer repeats all of these.
  // Without either counter the receive time keeps two passes of one plate apart; a re-send is
  // then not recognised (proc_track still drops it as a repeat of the vehicle).
  const std::string received =
      captureTs.empty() && counter.empty() ? formatUtc(request.receivedAt) : std::string();
  event.sourceEventId = contentId({camera, carId, state, captureTs, counter, plate, received});

  keep(event, "car_state", state);
  keep(event, "car_id", carId);
  keep(event, "camera", camera);
  keep(event, "camera_model", model);
  keep(event, "sensor_provider", provider);
  keep(event, "region", trimmed(textOr(root, "plateRegion")));
  keep(event, "region_code", trimmed(textOr(root, "plateRegionCode")));
  keep(event, "roi", trimmed(textOr(root, "roiID")));
  keep(event, "list", trimmed(textOr(root, "plateList")));
  keep(event, "list_mode", trimmed(textOr(root, "plateListMode")));
  if (const Poco::JSON::Object::Ptr vehicle = root.getObject("vehicle_info")) {
    keep(event, "vehicle_type", trimmed(textOr(*vehicle, "type")));
    keep(event, "vehicle_color", trimmed(textOr(*vehicle, "color")));
    keep(event, "vehicle_view", trimmed(textOr(*vehicle, "view")));
  }

  takeImage(payload, conversion, read);
  conversion.reads.push_back(std::move(read));
  return conversion;
}

}  // namespace lpr::plugins::source_axis_alpv
