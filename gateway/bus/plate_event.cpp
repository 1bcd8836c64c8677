#include "bus/plate_event.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/RegularExpression.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <sstream>

namespace lpr {

std::string toString(Direction direction) {
  switch (direction) {
    case Direction::In:
      return "in";
    case Direction::Out:
      return "out";
    default:
      return "unknown";
  }
}

std::optional<Direction> directionFromString(const std::string& text) {
  if (text == "in") return Direction::In;
  if (text == "out") return Direction::Out;
  if (text == "unknown") return Direction::Unknown;
  return std::nullopt;
}

std::string formatUtc(TimePoint time) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  Poco::Timestamp ts(static_cast<Poco::Timestamp::TimeVal>(us));
  return Poco::DateTimeFormatter::format(ts, "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::optional<TimePoint> parseUtc(const std::string& text) {
  // Poco's parser is lenient; insist on the ISO 8601 shape before handing it over.
  static const Poco::RegularExpression shape(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*$)");
  if (!shape.match(text)) return std::nullopt;
  int tz = 0;
  Poco::DateTime dt;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, dt, tz)) {
    return std::nullopt;
  }
  auto us =
      dt.timestamp().epochMicroseconds() - static_cast<Poco::Timestamp::TimeVal>(tz) * 1000000;
  return TimePoint(std::chrono::microseconds(us));
}

std::string newUuid() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

namespace {

void setOptional(Poco::JSON::Object& obj, const std::string& key,
                 const std::optional<std::string>& value) {
  if (value) {
    obj.set(key, *value);
  } else {
    obj.set(key, Poco::Dynamic::Var());
  }
}

std::optional<std::string> optionalString(const Poco::JSON::Object& obj, const std::string& key) {
  if (!obj.has(key) || obj.isNull(key)) return std::nullopt;
  return obj.getValue<std::string>(key);
}

std::string stringOr(const Poco::JSON::Object& obj, const std::string& key) {
  return optionalString(obj, key).value_or("");
}

TimePoint timeOr(const Poco::JSON::Object& obj, const std::string& key) {
  auto text = optionalString(obj, key);
  if (!text) return {};
  auto parsed = parseUtc(*text);
  if (!parsed) throw Poco::DataFormatException("bad timestamp in " + key, *text);
  return *parsed;
}

}  // namespace

std::string toJson(const PlateEvent& event) {
  Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
  obj.set("id", event.id);
  obj.set("seq", event.seq);
  obj.set("source", event.sourceId);
  obj.set("source_event_id", event.sourceEventId);
  obj.set("vehicle_id", event.vehicleId);
  setOptional(obj, "update_of",
              event.updateOf.empty() ? std::nullopt : std::optional<std::string>(event.updateOf));
  obj.set("plate", event.plate);
  obj.set("plate_raw", event.plateRaw);
  obj.set("country", event.country);
  if (event.confidence) {
    obj.set("confidence", *event.confidence);
  } else {
    obj.set("confidence", Poco::Dynamic::Var());
  }
  obj.set("direction", toString(event.direction));
  obj.set("access_point", event.accessPoint);
  obj.set("captured_at", formatUtc(event.capturedAt));
  obj.set("received_at", formatUtc(event.receivedAt));
  setOptional(obj, "image",
              event.imagePath.empty() ? std::nullopt : std::optional<std::string>(event.imagePath));
  if (event.decision) {
    const Decision& d = *event.decision;
    Poco::JSON::Object::Ptr dec = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    dec->set("valid", d.valid);
    setOptional(*dec, "uuid", d.uuid);
    setOptional(*dec, "user_name", d.userName);
    setOptional(*dec, "session", d.session);
    dec->set("decided_by", d.decidedBy);
    dec->set("reason", d.reason);
    dec->set("decided_at", formatUtc(d.decidedAt));
    obj.set("decision", dec);
  } else {
    obj.set("decision", Poco::Dynamic::Var());
  }
  Poco::JSON::Object::Ptr attrs = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : event.attributes) attrs->set(k, v);
  obj.set("attributes", attrs);
  std::ostringstream out;
  obj.stringify(out);
  return out.str();
}

PlateEvent plateEventFromJson(const std::string& json) {
  Poco::JSON::Parser parser;
  auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  if (!root) throw Poco::DataFormatException("event JSON is not an object");
  PlateEvent e;
  e.id = stringOr(*root, "id");
  if (root->has("seq") && !root->isNull("seq")) e.seq = root->getValue<std::int64_t>("seq");
  e.sourceId = stringOr(*root, "source");
  e.sourceEventId = stringOr(*root, "source_event_id");
  e.vehicleId = stringOr(*root, "vehicle_id");
  e.updateOf = stringOr(*root, "update_of");
  e.plate = stringOr(*root, "plate");
  e.plateRaw = stringOr(*root, "plate_raw");
  e.country = stringOr(*root, "country");
  if (root->has("confidence") && !root->isNull("confidence")) {
    e.confidence = root->getValue<double>("confidence");
  }
  e.direction = directionFromString(stringOr(*root, "direction")).value_or(Direction::Unknown);
  if (root->has("access_point")) e.accessPoint = root->getValue<int>("access_point");
  e.capturedAt = timeOr(*root, "captured_at");
  e.receivedAt = timeOr(*root, "received_at");
  e.imagePath = stringOr(*root, "image");
  if (auto dec = root->getObject("decision")) {
    Decision d;
    d.valid = dec->getValue<bool>("valid");
    d.uuid = optionalString(*dec, "uuid");
    d.userName = optionalString(*dec, "user_name");
    d.session = optionalString(*dec, "session");
    d.decidedBy = stringOr(*dec, "decided_by");
    d.reason = stringOr(*dec, "reason");
    d.decidedAt = timeOr(*dec, "decided_at");
    e.decision = d;
  }
  if (auto attrs = root->getObject("attributes")) {
    for (const auto& [k, v] : *attrs) e.attributes[k] = v.toString();
  }
  return e;
}

}  // namespace lpr
