#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

#include "access/access_model.h"
#include "local_store.h"

namespace lpr::plugins::proc_authorize {

// A request body that cannot be used: which field, and why.
struct FieldError {
  std::string code;  // "malformed_json" | "missing_field" | "bad_value"
  std::string field;
  std::string message;
};

Poco::JSON::Object::Ptr userToJson(const lpr::access::DirectoryUser& user);
Poco::JSON::Object::Ptr listEntryToJson(const StoredListEntry& stored);

// {"name", "plates": [...], "valid_from", "valid_to" (ISO 8601 UTC or null), "entry", "exit"
// (booleans, default true), "uuid" (ignored here)}; checked with checkLocalUser.
std::optional<FieldError> userFromJson(const std::string& body, lpr::access::DirectoryUser& user,
                                       std::string& uuid);
// {"action": "allow"|"deny", "plate", "name", "valid_from", "valid_to", "access_points": [0, 1],
// "gates": [...]}; checked with validateListEntry.
std::optional<FieldError> listEntryFromJson(const std::string& body, lpr::access::ListEntry& entry);

std::string errorJson(const std::string& code, const std::string& message,
                      const std::string& field);

}  // namespace lpr::plugins::proc_authorize
