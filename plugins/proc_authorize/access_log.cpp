#include "access_log.h"

#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>

namespace lpr::plugins::proc_authorize {

namespace {

constexpr std::size_t kMaxLimit = 1000;

FieldError bad(const std::string& field, const std::string& message) {
  return {"bad_value", field, message};
}

}  // namespace

std::variant<EventQuery, FieldError> accessLogQuery(
    const std::vector<std::pair<std::string, std::string>>& parameters) {
  EventQuery q;
  for (const auto& [name, value] : parameters) {
    if (name == "plate") {
      q.plate = value;
    } else if (name == "gate") {
      q.source = value;
    } else if (name == "access_point") {
      if (value != "0" && value != "1") return bad(name, "0 (entry) or 1 (exit)");
      q.accessPoint = value == "1" ? 1 : 0;
    } else if (name == "from" || name == "to") {
      auto time = parseUtc(value);
      if (!time) return bad(name, "an ISO 8601 UTC time, e.g. 2026-11-24T08:00:00Z");
      (name == "from" ? q.from : q.to) = *time;
    } else if (name == "result") {
      if (value != "granted" && value != "refused") return bad(name, "granted or refused");
      q.valid = value == "granted";
    } else if (name == "before") {
      Poco::Int64 seq = 0;
      if (!Poco::NumberParser::tryParse64(value, seq) || seq <= 0) {
        return bad(name, "the seq of the last event of the previous page");
      }
      q.beforeSeq = seq;
    } else if (name == "limit") {
      unsigned limit = 0;
      if (!Poco::NumberParser::tryParseUnsigned(value, limit) || limit == 0 || limit > kMaxLimit) {
        return bad(name, "1.." + std::to_string(kMaxLimit));
      }
      q.limit = limit;
    } else {
      return bad(name,
                 "not a parameter of the access log (plate, gate, access_point, from, to, result, "
                 "before, limit)");
    }
  }
  return q;
}

Poco::JSON::Object::Ptr accessLogEntry(const PlateEvent& event,
                                       const std::function<std::string(const std::string&)>& mask) {
  auto entry = Poco::JSON::Parser().parse(toJson(event)).extract<Poco::JSON::Object::Ptr>();
  entry->set("plate", mask(event.plate));
  entry->set("plate_raw", mask(event.plateRaw));
  entry->remove("image");  // a path on the gateway; the link below serves the file
  if (!event.imagePath.empty()) {
    entry->set("snapshot", "/api/v1/snapshots/" + event.id);
  } else {
    entry->set("snapshot", Poco::Dynamic::Var());
  }
  return entry;
}

}  // namespace lpr::plugins::proc_authorize
