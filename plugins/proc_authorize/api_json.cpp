#include "api_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

#include "authorize_config.h"
#include "user_csv.h"

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Poco::Dynamic::Var timeOrNull(const std::optional<access::TimePoint>& at) {
  return at ? Poco::Dynamic::Var(access::formatUtcSeconds(*at)) : Poco::Dynamic::Var();
}

FieldError bad(const std::string& field, const std::string& message) {
  return {"bad_value", field, message};
}

// Typos in field names would silently drop a restriction, so unknown fields are refused.
std::optional<FieldError> onlyKnown(const Object& object, const std::set<std::string>& known) {
  for (const auto& [key, value] : object) {
    if (!known.contains(key)) return bad(key, "unknown field");
  }
  return std::nullopt;
}

std::optional<FieldError> parseObject(const std::string& body, Object::Ptr& object) {
  try {
    Poco::JSON::Parser parser;
    object = parser.parse(body).extract<Object::Ptr>();
    if (object) return std::nullopt;
  } catch (const Poco::Exception&) {
  }
  return FieldError{"malformed_json", "", "the body must be a JSON object"};
}

std::optional<FieldError> getString(const Object& o, const std::string& key, bool required,
                                    std::string& out) {
  if (!o.has(key) || o.isNull(key)) {
    if (required) return FieldError{"missing_field", key, "required"};
    return std::nullopt;
  }
  const auto value = o.get(key);
  if (!value.isString()) return bad(key, "must be a string");
  out = value.toString();
  return std::nullopt;
}

std::optional<FieldError> getTime(const Object& o, const std::string& key,
                                  std::optional<access::TimePoint>& out) {
  std::string text;
  if (auto error = getString(o, key, false, text)) return error;
  auto parsed = parseValidity(text);
  if (!parsed)
    return bad(key, "'" + text +
                        "': not an ISO 8601 UTC time such as "
                        "2026-01-31T00:00:00Z");
  out = *parsed;
  return std::nullopt;
}

std::optional<FieldError> getBool(const Object& o, const std::string& key, bool& out) {
  if (!o.has(key) || o.isNull(key)) return std::nullopt;
  const auto value = o.get(key);
  if (!value.isBoolean()) return bad(key, "must be true or false");
  out = value.extract<bool>();
  return std::nullopt;
}

template <typename T>
std::optional<FieldError> getArray(const Object& o, const std::string& key, bool required,
                                   std::vector<T>& out) {
  if (!o.has(key) || o.isNull(key)) {
    if (required) return FieldError{"missing_field", key, "required"};
    return std::nullopt;
  }
  Array::Ptr array = o.getArray(key);
  if (!array) return bad(key, "must be an array");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto item = array->get(i);
    if constexpr (std::is_same_v<T, std::string>) {
      if (!item.isString()) return bad(key, "items must be strings");
      out.push_back(item.toString());
    } else {
      if (!item.isInteger()) return bad(key, "items must be integers");
      out.push_back(item.convert<T>());
    }
  }
  return std::nullopt;
}

}  // namespace

Object::Ptr userToJson(const access::DirectoryUser& user) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("uuid", user.uuid);
  o->set("name", user.name);
  Array::Ptr plates = new Array;
  for (const auto& plate : user.plates) plates->add(plate);
  o->set("plates", plates);
  o->set("valid_from", timeOrNull(user.validFrom));
  o->set("valid_to", timeOrNull(user.validTo));
  o->set("entry", user.accessPoints[access::kEntry].enabled);
  o->set("exit", user.accessPoints[access::kExit].enabled);
  for (int ap : {access::kEntry, access::kExit}) {
    Array::Ptr ids = new Array;
    for (const auto& id : user.accessPoints[ap].profileIds) ids->add(id);
    o->set(ap == access::kEntry ? "entry_profiles" : "exit_profiles", ids);
  }
  if (!user.owner.empty()) o->set("owner", user.owner);
  return o;
}

Object::Ptr listEntryToJson(const StoredListEntry& stored) {
  const access::ListEntry& e = stored.entry;
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", stored.id);
  o->set("action", e.action == access::ListAction::Allow ? "allow" : "deny");
  o->set("plate", e.plate);
  o->set("name", e.name);
  o->set("valid_from", timeOrNull(e.validFrom));
  o->set("valid_to", timeOrNull(e.validTo));
  Array::Ptr aps = new Array, gates = new Array;
  for (int ap : e.scope.accessPoints) aps->add(ap);
  for (const auto& gate : e.scope.gates) gates->add(gate);
  o->set("access_points", aps);
  o->set("gates", gates);
  return o;
}

std::optional<FieldError> userFromJson(const std::string& body, access::DirectoryUser& user,
                                       std::string& uuid) {
  Object::Ptr o;
  if (auto error = parseObject(body, o)) return error;
  if (auto error = onlyKnown(*o, {"uuid", "name", "plates", "valid_from", "valid_to", "entry",
                                  "exit", "entry_profiles", "exit_profiles", "owner"})) {
    return error;
  }
  std::optional<FieldError> error;
  if ((error = getString(*o, "uuid", false, uuid)) ||
      (error = getString(*o, "name", true, user.name)) ||
      (error = getArray(*o, "plates", true, user.plates)) ||
      (error = getTime(*o, "valid_from", user.validFrom)) ||
      (error = getTime(*o, "valid_to", user.validTo)) ||
      (error = getBool(*o, "entry", user.accessPoints[access::kEntry].enabled)) ||
      (error = getBool(*o, "exit", user.accessPoints[access::kExit].enabled)) ||
      (error =
           getArray(*o, "entry_profiles", false, user.accessPoints[access::kEntry].profileIds)) ||
      (error = getArray(*o, "exit_profiles", false, user.accessPoints[access::kExit].profileIds))) {
    return error;
  }
  const auto errors = checkLocalUser(user);
  if (!errors.empty()) return bad(errors.front().field, errors.front().message);
  return std::nullopt;
}

std::optional<FieldError> listEntryFromJson(const std::string& body, access::ListEntry& entry) {
  Object::Ptr o;
  if (auto error = parseObject(body, o)) return error;
  if (auto error = onlyKnown(*o, {"id", "action", "plate", "name", "valid_from", "valid_to",
                                  "access_points", "gates"})) {
    return error;
  }
  std::string action;
  std::vector<int> aps;
  std::vector<std::string> gates;
  std::optional<FieldError> error;
  if ((error = getString(*o, "action", true, action)) ||
      (error = getString(*o, "plate", true, entry.plate)) ||
      (error = getString(*o, "name", false, entry.name)) ||
      (error = getTime(*o, "valid_from", entry.validFrom)) ||
      (error = getTime(*o, "valid_to", entry.validTo)) ||
      (error = getArray(*o, "access_points", false, aps)) ||
      (error = getArray(*o, "gates", false, gates))) {
    return error;
  }
  if (action != "allow" && action != "deny") return bad("action", "allow or deny");
  entry.action = action == "allow" ? access::ListAction::Allow : access::ListAction::Deny;
  entry.scope.accessPoints.insert(aps.begin(), aps.end());
  for (const auto& gate : gates) {
    // The store keeps a scope's gates comma separated.
    if (gate.find(',') != std::string::npos) return bad("gates", "'" + gate + "': contains ','");
    entry.scope.gates.insert(gate);
  }
  const auto errors = access::validateListEntry(entry);
  if (!errors.empty()) return bad(listEntryField(errors.front()), errors.front());
  return std::nullopt;
}

std::string errorJson(const std::string& code, const std::string& message,
                      const std::string& field) {
  Object::Ptr error = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  error->set("code", code);
  error->set("message", message);
  error->set("field", field);
  Object root;
  root.set("error", error);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

}  // namespace lpr::plugins::proc_authorize
