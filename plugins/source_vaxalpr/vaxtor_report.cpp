#include "vaxtor_report.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include "webhook/multipart_body.h"

namespace lpr::plugins::source_vaxalpr {

namespace {

constexpr std::size_t kMaxImageBytes = 16u << 20;
constexpr std::size_t kMaxPlateChars = 32;

std::string text(const Poco::JSON::Object& object, const std::string& key) {
  return Poco::trim(jsonText(object, key).value_or(""));
}

// A numeric token: nullopt when left empty; `bad` when it is there and not a number.
std::optional<double> number(const Poco::JSON::Object& object, const std::string& key, bool& bad) {
  const std::string value = text(object, key);
  bad = false;
  if (value.empty()) return std::nullopt;
  const auto parsed = parseNumber(value);
  bad = !parsed;
  return parsed;
}

std::optional<TimePoint> parseDate(const std::string& value, const LocalZone& zone) {
  if (auto utc = parseIsoWithZone(value)) return utc;
  int ms = 0;
  const auto local = parseLocalDateTime(value, &ms);
  // Beyond these years TimePoint (nanoseconds) overflows; no camera clock is set there.
  if (!local || local->tm_year < 100 || local->tm_year > 200) return std::nullopt;
  return zone.toUtc(*local, ms);
}

void keep(PlateEvent& event, const std::string& name, const std::string& value) {
  if (!value.empty()) event.attributes[name] = value;
}

// "l,t,r,b" from the box array (right/bottom, not width/height); empty when incomplete.
std::string box(const Poco::JSON::Object& root) {
  const Poco::JSON::Array::Ptr values = root.getArray("box");
  if (!values || values->size() != 4) return {};
  std::string out;
  for (unsigned i = 0; i < 4; ++i) {
    const Poco::Dynamic::Var item = values->get(i);
    std::string part;
    try {
      if (item.isString() || item.isNumeric()) part = Poco::trim(item.convert<std::string>());
    } catch (const Poco::Exception&) {
      return {};
    }
    if (part.empty() || !parseNumber(part)) return {};
    out += (i ? "," : "") + part;
  }
  return out;
}

}  // namespace

Conversion convertVaxtorReport(const WebhookRequest& request, const VaxtorOptions& options) {
  if (isMultipart(request.contentType)) {
    return Conversion::failure("unsupported_type", "Content-Type",
                               "multipart is not a VaxALPR report; post the JSON template");
  }
  const auto start = request.body.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && request.body[start] == '<') {
    return Conversion::failure("unsupported_type", "Content-Type",
                               "the XML report is not supported; set the JSON template");
  }
  Poco::JSON::Object::Ptr rootPtr;
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var value = parser.parse(request.body);
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      rootPtr = value.extract<Poco::JSON::Object::Ptr>();
    }
  } catch (const Poco::Exception& e) {
    return Conversion::failure("malformed_json", "", "the report is not JSON: " + e.message());
  }
  if (!rootPtr) return Conversion::failure("malformed_json", "", "the report is not a JSON object");
  const Poco::JSON::Object& root = *rootPtr;

  // The template typed into a camera that does not know a token (older firmware) or into the
  // wrong field arrives with the token itself.
  for (const char* key :
       {"cam", "date", "plate", "country", "state", "category", "confidence", "direction", "roi",
        "reads", "img_w", "img_h", "plate_jpg", "overview_jpg"}) {
    const std::string item = text(root, key);
    if (item.size() >= 3 && item.size() <= 32 && item.front() == '$' && item.back() == '$') {
      return Conversion::failure("bad_value", key, "the camera did not replace " + item);
    }
  }
  const std::string src = text(root, "src");
  if (!src.empty() && src != "vaxtor") {
    return Conversion::failure("bad_value", "src", "expected \"vaxtor\" (another template?)");
  }
  std::string plate = text(root, "plate");
  if (plate.empty()) return Conversion::failure("missing_field", "plate", "no plate text");
  if (plate.size() > kMaxPlateChars) {
    return Conversion::failure("bad_value", "plate",
                               "longer than " + std::to_string(kMaxPlateChars) + " bytes");
  }

  ConvertedRead read;
  PlateEvent& event = read.event;
  event.plateRaw = plate;
  event.plate = plate;
  event.country = text(root, "country");

  bool bad = false;
  if (const auto value = number(root, "confidence", bad)) {
    event.confidence = normalizedConfidence(*value, 100.0);
    if (!event.confidence) return Conversion::failure("bad_value", "confidence", "expected 0..100");
  } else if (bad) {
    return Conversion::failure("bad_value", "confidence", "expected 0..100");
  }

  const auto direction = number(root, "direction", bad);
  std::string moving = "unknown";
  if (bad ||
      (direction && *direction != 0 && *direction != 1 && *direction != 2 && *direction != 3)) {
    return Conversion::failure("bad_value", "direction",
                               "expected 0 (unknown), 1 (towards), 2 (away) or 3 (stationary)");
  }
  const Direction away = options.towards == Direction::In ? Direction::Out : Direction::In;
  if (direction && *direction == 1) {
    event.direction = options.towards;
    moving = "towards";
  } else if (direction && *direction == 2) {
    event.direction = away;
    moving = "away";
  } else if (direction && *direction == 3) {
    moving = "stationary";
  }

  const std::string date = text(root, "date");
  event.capturedAt = request.receivedAt;
  if (!date.empty()) {
    const auto time = parseDate(date, options.zone);
    if (!time) {
      return Conversion::failure("bad_value", "date",
                                 "expected ISO 8601 such as 2024-06-10T06:13:20.123Z");
    }
    event.capturedAt = *time;
  }

  const std::string camera = text(root, "cam");
  const std::string plateImage = text(root, "plate_jpg");
  const std::string overviewImage = text(root, "overview_jpg");
  // VaxALPR sends no event id. A re-sent report repeats all of these; without $date$ the images
  // (or, lacking those too, the receive time) keep two passes of one plate apart.
  event.sourceEventId = contentId(
      {camera, date, plate, event.country, text(root, "confidence"), text(root, "direction"),
       text(root, "roi"), date.empty() ? plateImage : std::string(),
       date.empty() ? overviewImage : std::string(),
       date.empty() && plateImage.empty() && overviewImage.empty() ? formatUtc(request.receivedAt)
                                                                   : std::string()});

  keep(event, "camera", camera);
  keep(event, "region", text(root, "state"));
  keep(event, "category", text(root, "category"));
  keep(event, "roi", text(root, "roi"));
  keep(event, "reads", text(root, "reads"));
  keep(event, "box", box(root));
  const std::string width = text(root, "img_w"), height = text(root, "img_h");
  if (!width.empty() && !height.empty()) keep(event, "frame", width + "x" + height);
  event.attributes["movement"] = moving;

  Conversion conversion;
  struct Candidate {
    const char* field;
    const std::string* base64;
  };
  const Candidate plateCandidate{"plate_jpg", &plateImage};
  const Candidate overviewCandidate{"overview_jpg", &overviewImage};
  const Candidate order[] = {options.preferPlateImage ? plateCandidate : overviewCandidate,
                             options.preferPlateImage ? overviewCandidate : plateCandidate};
  for (const Candidate& candidate : order) {
    if (candidate.base64->empty()) continue;
    auto bytes = decodeBase64(*candidate.base64, kMaxImageBytes);
    const std::string extension = bytes ? imageExtension(*bytes) : std::string();
    if (extension.empty()) {
      conversion.warnings.push_back({"bad_image", candidate.field,
                                     bytes ? "neither JPEG nor PNG" : "not base64, or too large"});
      continue;
    }
    read.image = std::move(*bytes);
    read.imageExtension = extension;
    break;
  }
  conversion.reads.push_back(std::move(read));
  return conversion;
}

}  // namespace lpr::plugins::source_vaxalpr
