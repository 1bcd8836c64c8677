#include "milesight_converter.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <cctype>
#include <string>

namespace lpr::plugins::source_milesight {

namespace {

// A member as text; "-" (the camera's "not available") and blanks count as absent.
std::string value(const Poco::JSON::Object& object, const std::string& key) {
  const std::string text = Poco::trim(jsonText(object, key).value_or(""));
  return text == "-" ? std::string() : text;
}

bool isAlpha3Or2(const std::string& text) {
  if (text.size() < 2 || text.size() > 3) return false;
  for (char c : text) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Vendor extras kept on the event: (Milesight key, attribute name).
const std::pair<const char*, const char*> kAttributes[] = {
    {"device", "device"},
    {"type", "list_type"},
    {"direction", "direction"},
    {"region", "region"},
    {"speed", "speed"},
    {"detection_region", "detection_region"},
    {"plate_color", "plate_color"},
    {"vehicle_type", "vehicle_type"},
    {"vehicle_color", "vehicle_color"},
    {"Vehicle Brand", "vehicle_brand"},
};

}  // namespace

Conversion convertMilesight(const WebhookRequest& request, const MilesightOptions& options) {
  Poco::JSON::Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(request.body).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Conversion::failure("malformed_json", "", "body is not a JSON object: " + e.message());
  } catch (const std::exception&) {
    return Conversion::failure("malformed_json", "", "body is not a JSON object");
  }
  if (!root) return Conversion::failure("malformed_json", "", "body is not a JSON object");
  const Poco::JSON::Object& post = *root;

  if (!jsonText(post, "plate")) {
    return Conversion::failure("missing_field", "plate", "no plate in the post");
  }
  const std::string plate = value(post, "plate");
  if (plate.empty()) {
    Conversion conversion;
    conversion.ignored = "no plate read";
    return conversion;
  }

  ConvertedRead read;
  PlateEvent& event = read.event;
  event.plateRaw = plate;
  event.plate = plate;

  const std::string confidence = value(post, "confidence");
  if (!confidence.empty()) {
    const auto number = parseNumber(confidence);
    const auto normalized = number ? normalizedConfidence(*number, 1) : std::nullopt;
    if (!normalized) {
      return Conversion::failure("bad_value", "confidence", "confidence is not a number 0..1");
    }
    event.confidence = normalized;
  }

  // Some firmwares name it time_msec [3P]; both carry "YYYY-MM-DD HH:MM:SS.mmm", local.
  const char* timeKey = value(post, "time").empty() ? "time_msec" : "time";
  const std::string time = value(post, timeKey);
  event.capturedAt = request.receivedAt;
  if (!time.empty()) {
    int ms = 0;
    const auto local = parseLocalDateTime(time, &ms);
    if (!local) {
      return Conversion::failure("bad_value", timeKey, "time is not YYYY-MM-DD HH:MM:SS[.mmm]");
    }
    event.capturedAt = options.zone.toUtc(*local, ms);
  }

  const std::string direction = value(post, "direction");
  if (Poco::icompare(direction, "Approach") == 0) {
    event.direction = options.approach;
  } else if (Poco::icompare(direction, "Away") == 0) {
    event.direction = options.approach == Direction::In ? Direction::Out : Direction::In;
  }

  const std::string region = value(post, "region");
  if (isAlpha3Or2(region)) event.country = Poco::toUpper(region);

  // Milesight sends no event id: a resent post repeats device, time and plate.
  event.sourceEventId = contentId({value(post, "device"), time, plate});

  for (const auto& [key, name] : kAttributes) {
    const std::string text = value(post, key);
    if (!text.empty()) event.attributes[name] = text;
  }
  const std::string x1 = value(post, "coordinate_x1"), y1 = value(post, "coordinate_y1");
  const std::string x2 = value(post, "coordinate_x2"), y2 = value(post, "coordinate_y2");
  if (!x1.empty() && !y1.empty() && !x2.empty() && !y2.empty()) {
    event.attributes["plate_box"] = x1 + "," + y1 + "," + x2 + "," + y2;
  }
  const std::string width = value(post, "resolution_width");
  const std::string height = value(post, "resolution_height");
  if (!width.empty() && !height.empty()) event.attributes["resolution"] = width + "x" + height;

  Conversion conversion;
  const std::string image = value(post, "plate_image");
  if (!image.empty()) {
    const auto bytes = decodeBase64(image, image.size());
    const std::string extension = bytes ? imageExtension(*bytes) : std::string();
    if (extension.empty()) {
      conversion.warnings.push_back(
          {"bad_image", "plate_image", bytes ? "not a JPEG or PNG picture" : "not base64"});
    } else {
      read.image = *bytes;
      read.imageExtension = extension;
    }
  }
  conversion.reads.push_back(std::move(read));
  return conversion;
}

}  // namespace lpr::plugins::source_milesight
