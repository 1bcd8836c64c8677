#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access_model.h"

namespace lpr::plugins::proc_authorize {

// The import/export format of local users (README "CSV format"). Imports may leave out the
// last two columns (the format before time profiles).
inline constexpr const char* kUsersCsvHeader =
    "name,plates,valid_from,valid_to,entry,exit,entry_profiles,exit_profiles";

// What is wrong where: row is the 1-based data row (0: the header or the text as a whole),
// field a column name.
struct RowError {
  std::size_t row = 0;
  std::string field;
  std::string message;
};

struct UsersCsv {
  std::vector<lpr::access::DirectoryUser> users;  // without uuids
  std::vector<RowError> errors;                   // every problem found; users unusable if any
};

UsersCsv parseUsersCsv(std::string_view text);
std::string writeUsersCsv(const std::vector<lpr::access::DirectoryUser>& users);

// validateUser plus what the CSV form cannot hold (';' inside a plate or a profile id, times
// below whole seconds); each error names its field in API terms ("plates", "valid_to", ...).
std::vector<RowError> checkLocalUser(const lpr::access::DirectoryUser& user);

// "" → no limit; ISO 8601 UTC, truncated to whole seconds as the store keeps them.
std::optional<std::optional<lpr::access::TimePoint>> parseValidity(const std::string& text);

}  // namespace lpr::plugins::proc_authorize
