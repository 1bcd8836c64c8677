#include "plate_recognizer_payload.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <optional>
#include <string>

#include "webhook/multipart_body.h"
#include "webhook/payload_values.h"

namespace lpr::plugins::source_platerecognizer {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxResults = 64;

Object::Ptr objectAt(const Object& object, const std::string& key) {
  return object.has(key) ? object.getObject(key) : nullptr;
}

// The first entry of an MMC list such as model_make[] or color[] as an object, else null.
Object::Ptr firstOf(const Object& object, const std::string& key) {
  if (!object.has(key)) return nullptr;
  Array::Ptr list = object.getArray(key);
  if (list.isNull() || list->size() == 0) return nullptr;
  return list->getObject(0);
}

std::optional<TimePoint> parseTimestamp(const std::string& text) {
  if (auto utc = parseIsoWithZone(text)) return utc;
  // Snapshot's example writes "YYYY-MM-DD hh:mm:ss.ffffff" without a zone; the API is UTC.
  int ms = 0;
  if (auto local = parseLocalDateTime(text, &ms)) {
    TimePoint t = LocalZone{}.toUtc(*local, ms);
    if (fromEpochMs(static_cast<double>(
            std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()))) {
      return t;
    }
  }
  return std::nullopt;
}

void setText(PlateEvent& event, const std::string& attribute, const Object::Ptr& object,
             const std::string& key) {
  if (object.isNull()) return;
  if (auto value = jsonText(*object, key); value && !value->empty()) {
    event.attributes[attribute] = *value;
  }
}

}  // namespace

Conversion convertPlateRecognizer(const WebhookRequest& request) {
  std::string json;
  std::string image;
  if (isMultipart(request.contentType)) {
    auto parsed = parseMultipart(request.body, request.contentType);
    if (auto* error = std::get_if<InputError>(&parsed)) {
      Conversion c;
      c.error = *error;
      return c;
    }
    const auto& parts = std::get<std::vector<MultipartPart>>(parsed);
    const MultipartPart* jsonPart = findPart(parts, "json");
    if (!jsonPart) {
      return Conversion::failure("missing_field", "json",
                                 "multipart body without the form field \"json\"");
    }
    json = jsonPart->body;
    if (const MultipartPart* upload = findPart(parts, "upload")) image = upload->body;
  } else {
    json = request.body;
  }

  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(json);
    if (parsed.type() == typeid(Object::Ptr)) root = parsed.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return Conversion::failure("malformed_json", "", "body is not valid JSON");
  }
  if (root.isNull()) return Conversion::failure("malformed_json", "", "body is not a JSON object");

  Conversion out;
  const Object::Ptr hook = objectAt(*root, "hook");
  std::string hookEvent;
  if (!hook.isNull()) hookEvent = jsonText(*hook, "event").value_or("");
  if (hookEvent.find("heartbeat") != std::string::npos) {
    out.heartbeat = true;
    return out;
  }
  if (!hookEvent.empty() && hookEvent != "recognition" && hookEvent != "image.done") {
    // Stream's dwell and video events carry no new plate read.
    out.ignored = "hook.event \"" + hookEvent + "\" is not a recognition";
    return out;
  }
  const Object::Ptr data = objectAt(*root, "data");
  if (data.isNull()) return Conversion::failure("missing_field", "data", "no \"data\" object");
  if (!data->has("results") || data->getArray("results").isNull()) {
    return Conversion::failure("missing_field", "data.results", "no \"data.results\" array");
  }
  const Array::Ptr results = data->getArray("results");
  if (results->size() > kMaxResults) {
    return Conversion::failure("bad_value", "data.results",
                               "more than " + std::to_string(kMaxResults) + " results");
  }
  if (results->size() == 0) {
    // Snapshot posts once per API call, also when it found nothing.
    out.ignored = "no plate in data.results";
    return out;
  }

  const std::string cameraId = jsonText(*data, "camera_id").value_or("");
  const std::string timestamp = jsonText(*data, "timestamp").value_or("");
  const std::string filename = jsonText(*data, "filename").value_or("");
  TimePoint capturedAt = request.receivedAt;
  if (!timestamp.empty()) {
    auto parsed = parseTimestamp(timestamp);
    if (!parsed) {
      return Conversion::failure("bad_value", "data.timestamp",
                                 "not an ISO 8601 time: \"" + timestamp.substr(0, 40) + "\"");
    }
    capturedAt = *parsed;
  }

  std::string imageExtension;
  if (!image.empty()) {
    imageExtension = lpr::imageExtension(image);
    if (imageExtension.empty()) {
      out.warnings.push_back({"bad_image", "upload", "the upload part is not a JPEG or PNG"});
      image.clear();
    }
  }

  for (std::size_t i = 0; i < results->size(); ++i) {
    const std::string field = "data.results[" + std::to_string(i) + "]";
    const Object::Ptr result = results->getObject(static_cast<unsigned>(i));
    if (result.isNull()) return Conversion::failure("bad_value", field, "not an object");
    const auto plate = jsonText(*result, "plate");
    if (auto problem = plateTextProblem(plate, field + ".plate")) {
      return Conversion::failure(*problem);
    }

    ConvertedRead read;
    PlateEvent& event = read.event;
    event.sourceEventId = contentId({cameraId, timestamp, filename, std::to_string(i), *plate});
    event.plateRaw = *plate;
    event.plate = *plate;
    event.capturedAt = capturedAt;
    if (result->has("score")) {
      const auto score = jsonNumber(*result, "score");
      const auto normalized = score ? normalizedConfidence(*score, 1.0) : std::nullopt;
      if (!normalized) {
        return Conversion::failure("bad_value", field + ".score", "not a number in 0..1");
      }
      event.confidence = normalized;
    }
    if (const Object::Ptr region = objectAt(*result, "region"); !region.isNull()) {
      // "gb", "it", or "us-ca" (country-subdivision): the country part is an ISO alpha-2 code.
      if (auto code = jsonText(*region, "code"); code && !code->empty()) {
        event.attributes["region"] = *code;
        std::string country = code->substr(0, code->find('-'));
        if (country.size() == 2 && std::isalpha(static_cast<unsigned char>(country[0])) &&
            std::isalpha(static_cast<unsigned char>(country[1]))) {
          for (auto& c : country)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          event.country = country;
        }
      }
      setText(event, "region_score", region, "score");
    }
    if (!cameraId.empty()) event.attributes["camera_id"] = cameraId;
    setText(event, "vehicle_type", objectAt(*result, "vehicle"), "type");
    setText(event, "make", firstOf(*result, "model_make"), "make");
    setText(event, "model", firstOf(*result, "model_make"), "model");
    setText(event, "color", firstOf(*result, "color"), "color");
    setText(event, "orientation", firstOf(*result, "orientation"), "orientation");
    // Degrees of travel in the image, not in/out: which way is "in" depends on the site.
    setText(event, "direction_deg", result, "direction");
    setText(event, "dscore", result, "dscore");
    // The post's one image shows every plate of the post.
    read.image = image;
    if (!image.empty()) read.imageExtension = imageExtension;
    out.reads.push_back(std::move(read));
  }
  return out;
}

}  // namespace lpr::plugins::source_platerecognizer
