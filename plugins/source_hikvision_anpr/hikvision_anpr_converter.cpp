#include "hikvision_anpr_converter.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>
#include <Poco/String.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/multipart_body.h"

namespace lpr::plugins::source_hikvision_anpr {

namespace {

using Poco::XML::XMLString;

// Deeper nesting is not an alert; the limit also keeps a hostile body from growing the path.
constexpr std::size_t kMaxDepth = 32;

// The alert flattened: the first text of each leaf element by its path of local names below the
// root ("ANPR/licensePlate"). Local names make both ISAPI namespaces (hikvision.com and
// isapi.org ver20) and none read the same.
struct Alert {
  std::string root;
  std::map<std::string, std::string> values;
  std::string plateRect;  // "X,Y,width,height" of the licensePlatePicture [U: px or 0..1000]

  std::string get(const std::string& path) const {
    const auto it = values.find(path);
    return it == values.end() ? std::string() : it->second;
  }
};

// SAX rather than DOM: no tree to build or to free recursively, whatever the body holds.
class AlertHandler : public Poco::XML::DefaultHandler {
 public:
  explicit AlertHandler(Alert& alert) : alert_(alert) {}

  void startElement(const XMLString&, const XMLString& localName, const XMLString& qname,
                    const Poco::XML::Attributes&) override {
    if (path_.size() >= kMaxDepth) {
      throw Poco::XML::SAXException("elements nested deeper than " + std::to_string(kMaxDepth));
    }
    path_.push_back(localName.empty() ? qname : localName);
    if (path_.size() == 1) alert_.root = path_.back();
    if (path_.back() == "pictureInfo") picture_.clear();
    text_.clear();
    leaf_ = true;
  }

  void endElement(const XMLString&, const XMLString&, const XMLString&) override {
    if (leaf_ && path_.size() > 1) store(Poco::trim(text_));
    if (path_.back() == "pictureInfo") notePicture();
    path_.pop_back();
    text_.clear();
    leaf_ = false;
  }

  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    text_.append(ch + start, static_cast<std::size_t>(length));
  }

 private:
  void store(const std::string& value) {
    std::string key;
    std::size_t pictureAt = 0;
    for (std::size_t i = 1; i < path_.size(); ++i) {
      if (!key.empty()) key += '/';
      key += path_[i];
      if (path_[i] == "pictureInfo") pictureAt = key.size() + 1;
    }
    alert_.values.emplace(key, value);
    if (pictureAt > 0 && pictureAt < key.size()) picture_.emplace(key.substr(pictureAt), value);
  }

  void notePicture() {
    if (!alert_.plateRect.empty() || picture_["type"] != "licensePlatePicture") return;
    const std::string x = picture_["plateRect/X"], y = picture_["plateRect/Y"];
    const std::string w = picture_["plateRect/width"], h = picture_["plateRect/height"];
    if (!x.empty() && !y.empty() && !w.empty() && !h.empty()) {
      alert_.plateRect = x + "," + y + "," + w + "," + h;
    }
  }

  Alert& alert_;
  std::vector<std::string> path_;
  std::string text_;
  bool leaf_ = false;
  std::map<std::string, std::string> picture_;
};

std::optional<InputError> parseAlert(std::string_view xml, Alert& alert) {
  const std::string_view trimmed =
      xml.substr(std::min(xml.size(), xml.find_first_not_of(" \t\r\n")));
  if (trimmed.empty()) return InputError{"malformed_xml", "", "empty XML document"};
  // A DTD could declare entities (billion laughs, external files); alerts never carry one.
  if (Poco::toLower(std::string(xml)).find("<!doctype") != std::string::npos) {
    return InputError{"malformed_xml", "", "a DOCTYPE is not accepted"};
  }
  AlertHandler handler(alert);
  try {
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setContentHandler(&handler);
    parser.parseMemoryNP(trimmed.data(), trimmed.size());
  } catch (const Poco::Exception& e) {
    return InputError{"malformed_xml", "", "XML does not parse: " + e.message()};
  }
  return std::nullopt;
}

bool isXmlPart(const MultipartPart& part) {
  const auto endsXml = [](const std::string& name) {
    return Poco::toLower(name).ends_with(".xml");
  };
  return mediaType(part.contentType).find("xml") != std::string::npos || endsXml(part.name) ||
         endsXml(part.filename);
}

const MultipartPart* findXmlPart(const std::vector<MultipartPart>& parts) {
  if (const MultipartPart* part = findPart(parts, "anpr.xml")) return part;
  for (const auto& part : parts) {
    if (isXmlPart(part)) return &part;
  }
  return nullptr;
}

bool startsWith(const std::string& text, std::string_view prefix) {
  return Poco::toLower(text).rfind(prefix, 0) == 0;
}

// The plate crop when the camera sent one, else the first scene picture (vehiclePicture,
// detectionPicture, ...): a read keeps one image.
void pickImage(const std::vector<MultipartPart>& parts, const MultipartPart* xmlPart,
               ConvertedRead& read, Conversion& conversion) {
  std::vector<const MultipartPart*> candidates;
  for (const auto& part : parts) {
    if (&part == xmlPart) continue;
    if (startsWith(part.name, "licenseplatepicture") ||
        startsWith(part.filename, "licenseplatepicture")) {
      candidates.insert(candidates.begin(), &part);
    } else {
      candidates.push_back(&part);
    }
  }
  for (const MultipartPart* part : candidates) {
    const std::string extension = imageExtension(part->body);
    if (!extension.empty()) {
      read.image = part->body;
      read.imageExtension = extension;
      return;
    }
    const std::string name = part->name.empty() ? part->filename : part->name;
    conversion.warnings.push_back({"bad_image", name, "part is not a JPEG or PNG picture"});
  }
}

Direction opposite(Direction direction) {
  return direction == Direction::In ? Direction::Out : Direction::In;
}

// Vendor extras kept on the event, by the Hikvision field name.
const std::pair<const char*, const char*> kAttributes[] = {
    {"macAddress", "macAddress"},
    {"ipAddress", "ipAddress"},
    {"channelID", "channelID"},
    {"channelName", "channelName"},
    {"deviceID", "deviceID"},
    {"monitoringSiteID", "monitoringSiteID"},
    {"activePostCount", "activePostCount"},
    {"isDataRetransmission", "isDataRetransmission"},
    {"ANPR/country", "country"},
    {"ANPR/CRIndex", "CRIndex"},
    {"ANPR/line", "line"},
    {"ANPR/direction", "direction"},
    {"ANPR/plateType", "plateType"},
    {"ANPR/plateColor", "plateColor"},
    {"ANPR/vehicleType", "vehicleType"},
    {"ANPR/vehicleListName", "vehicleListName"},
    {"ANPR/originalLicensePlate", "originalLicensePlate"},
    {"ANPR/vehicleInfo/color", "vehicleColor"},
    {"ANPR/vehicleInfo/vehicleLogoRecog", "vehicleLogoRecog"},
    {"ANPR/vehicleInfo/vehileModel", "vehicleModel"},
};

}  // namespace

Conversion convertHikvisionAnpr(const WebhookRequest& request, const HikvisionOptions& options) {
  std::vector<MultipartPart> parts;
  const MultipartPart* xmlPart = nullptr;
  std::string_view xml = request.body;
  if (isMultipart(request.contentType)) {
    auto parsed = parseMultipart(request.body, request.contentType);
    if (auto* error = std::get_if<InputError>(&parsed)) {
      Conversion conversion;
      conversion.error = *error;
      return conversion;
    }
    parts = std::move(std::get<std::vector<MultipartPart>>(parsed));
    xmlPart = findXmlPart(parts);
    if (!xmlPart) {
      return Conversion::failure("missing_field", "anpr.xml",
                                 "multipart body has no XML part (anpr.xml)");
    }
    xml = xmlPart->body;
  } else if (mediaType(request.contentType).find("json") != std::string::npos) {
    return Conversion::failure("unsupported_type", "Content-Type",
                               "JSON alerts are not supported; set the camera's alarm server "
                               "(HTTP listening) parameter format to XML");
  }

  Alert alert;
  if (auto error = parseAlert(xml, alert)) {
    Conversion conversion;
    conversion.error = *error;
    return conversion;
  }
  if (alert.root != "EventNotificationAlert") {
    return Conversion::failure("unsupported_type", alert.root,
                               "root element is not EventNotificationAlert");
  }

  const std::string eventType = alert.get("eventType");
  bool hasAnpr = false;
  for (const auto& [key, value] : alert.values) hasAnpr = hasAnpr || key.rfind("ANPR/", 0) == 0;
  if (eventType.empty() && !hasAnpr) {
    return Conversion::failure("missing_field", "eventType", "alert has no eventType and no ANPR");
  }
  if (!eventType.empty() && Poco::icompare(eventType, "ANPR") != 0) {
    Conversion conversion;
    // The camera repeats an inactive videoloss alert as its keep-alive [3P].
    if ((Poco::icompare(eventType, "videoloss") == 0 &&
         Poco::icompare(alert.get("eventState"), "inactive") == 0) ||
        Poco::icompare(eventType, "heartBeat") == 0) {
      conversion.heartbeat = true;
    } else {
      conversion.ignored = "eventType " + eventType + " is not ANPR";
    }
    return conversion;
  }

  if (!alert.values.contains("ANPR/licensePlate")) {
    return Conversion::failure("missing_field", "ANPR/licensePlate", "ANPR alert without a plate");
  }
  const std::string plate = alert.get("ANPR/licensePlate");
  if (plate.empty() || Poco::icompare(plate, "unknown") == 0) {
    Conversion conversion;
    conversion.ignored = "plate unreadable";
    return conversion;
  }

  ConvertedRead read;
  PlateEvent& event = read.event;
  event.plateRaw = plate;
  event.plate = plate;

  const std::string confidence = alert.get("ANPR/confidenceLevel");
  if (!confidence.empty()) {
    const auto number = parseNumber(confidence);
    const auto normalized = number ? normalizedConfidence(*number, 100) : std::nullopt;
    if (!normalized) {
      return Conversion::failure("bad_value", "ANPR/confidenceLevel",
                                 "confidenceLevel is not a number 0..100");
    }
    event.confidence = normalized;
  }

  const std::string dateTime = alert.get("dateTime");
  event.capturedAt = request.receivedAt;
  if (!dateTime.empty()) {
    if (auto utc = parseIsoWithZone(dateTime)) {
      event.capturedAt = *utc;
    } else {
      int ms = 0;
      const auto local = parseLocalDateTime(dateTime, &ms);
      if (!local) {
        return Conversion::failure("bad_value", "dateTime",
                                   "dateTime is not ISO 8601 (2024-06-10T08:13:20+02:00)");
      }
      event.capturedAt = options.zone.toUtc(*local, ms);
    }
  }

  const std::string direction = alert.get("ANPR/direction");
  if (Poco::icompare(direction, "forward") == 0) {
    event.direction = options.forward;
  } else if (Poco::icompare(direction, "reverse") == 0) {
    event.direction = opposite(options.forward);
  }

  // A re-sent alert (activePostCount > 1, isDataRetransmission=true) keeps its UUID.
  const std::string uuid = alert.get("UUID");
  event.sourceEventId =
      !uuid.empty() ? uuid
                    : contentId({alert.get("macAddress"), alert.get("channelID"), dateTime, plate});

  for (const auto& [path, name] : kAttributes) {
    const std::string value = alert.get(path);
    if (!value.empty()) event.attributes[name] = value;
  }
  if (!alert.plateRect.empty()) event.attributes["plateRect"] = alert.plateRect;

  Conversion conversion;
  pickImage(parts, xmlPart, read, conversion);
  conversion.reads.push_back(std::move(read));
  return conversion;
}

}  // namespace lpr::plugins::source_hikvision_anpr
