#include "user_csv.h"

#include "bus/plate_event.h"
#include "csv.h"

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

namespace {

enum Column {
  kName,
  kPlates,
  kValidFrom,
  kValidTo,
  kEntryColumn,
  kExitColumn,
  kEntryProfiles,
  kExitProfiles,
  kColumns
};
const char* const kColumnNames[] = {"name",  "plates", "valid_from",     "valid_to",
                                    "entry", "exit",   "entry_profiles", "exit_profiles"};
// The header before time profiles: still accepted on import.
constexpr std::size_t kColumnsWithoutProfiles = kEntryProfiles;

// Library errors start with the model's field name.
std::string fieldOf(const std::string& error) {
  if (error.rfind("validFrom", 0) == 0) return "valid_from";
  if (error.rfind("validTo", 0) == 0) return "valid_to";
  if (error.rfind("accessPoints", 0) == 0) return "access_points";
  if (error.rfind("name", 0) == 0) return "name";
  return "plates";
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> plates;
  if (text.empty()) return plates;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(';', start);
    plates.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return plates;
    start = end + 1;
  }
}

std::string joinList(const std::vector<std::string>& plates) {
  std::string out;
  for (std::size_t i = 0; i < plates.size(); ++i) out += (i ? ";" : "") + plates[i];
  return out;
}

std::string formatValidity(const std::optional<access::TimePoint>& at) {
  return at ? access::formatUtcSeconds(*at) : std::string();
}

}  // namespace

std::optional<std::optional<access::TimePoint>> parseValidity(const std::string& text) {
  if (text.empty()) return std::optional<access::TimePoint>();
  auto parsed = lpr::parseUtc(text);
  if (!parsed) return std::nullopt;
  return std::optional<access::TimePoint>(std::chrono::floor<std::chrono::seconds>(*parsed));
}

std::vector<RowError> checkLocalUser(const access::DirectoryUser& user) {
  std::vector<RowError> errors;
  for (const std::string& error : access::validateUser(user)) {
    errors.push_back({0, fieldOf(error), error});
  }
  for (std::size_t i = 0; i < user.plates.size(); ++i) {
    if (user.plates[i].find(';') != std::string::npos) {
      errors.push_back({0, "plates",
                        "plates[" + std::to_string(i) + "] '" + user.plates[i] +
                            "': must not contain ';' (it separates plates in CSV)"});
    }
  }
  for (int ap : {access::kEntry, access::kExit}) {
    const std::string field = ap == access::kEntry ? "entry_profiles" : "exit_profiles";
    const auto& ids = user.accessPoints[ap].profileIds;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i].empty() || ids[i].find_first_of(";, ") != std::string::npos) {
        errors.push_back({0, field,
                          field + "[" + std::to_string(i) + "] '" + ids[i] +
                              "': a profile id, not empty, without ';', ',' or spaces"});
      }
    }
  }
  return errors;
}

UsersCsv parseUsersCsv(std::string_view text) {
  UsersCsv out;
  const CsvResult csv = parseCsv(text);
  if (!csv.error.empty()) {
    // Past a syntax error the rows cannot be told apart reliably: one error, with its line.
    out.errors.push_back(
        {0, "", "CSV syntax, line " + std::to_string(csv.errorLine) + ": " + csv.error});
    return out;
  }
  const std::vector<std::string> header(kColumnNames, kColumnNames + kColumns);
  const std::vector<std::string> oldHeader(kColumnNames, kColumnNames + kColumnsWithoutProfiles);
  if (csv.records.empty() ||
      (csv.records[0].fields != header && csv.records[0].fields != oldHeader)) {
    out.errors.push_back({0, "header", std::string("the first line must be ") + kUsersCsvHeader});
    return out;
  }
  for (std::size_t r = 1; r < csv.records.size(); ++r) {
    const auto& f = csv.records[r].fields;
    const std::size_t row = r;
    const std::size_t columns = csv.records[0].fields.size();
    if (f.size() != columns) {
      out.errors.push_back(
          {row, "", std::to_string(f.size()) + " columns, expected " + std::to_string(columns)});
      continue;
    }
    const std::size_t before = out.errors.size();
    access::DirectoryUser user;
    user.name = f[kName];
    user.plates = splitList(f[kPlates]);
    if (columns == kColumns) {
      user.accessPoints[access::kEntry].profileIds = splitList(f[kEntryProfiles]);
      user.accessPoints[access::kExit].profileIds = splitList(f[kExitProfiles]);
    }
    for (Column c : {kValidFrom, kValidTo}) {
      auto at = parseValidity(f[c]);
      if (!at) {
        out.errors.push_back({row, kColumnNames[c],
                              "'" + f[c] +
                                  "': not an ISO 8601 UTC time such as "
                                  "2026-01-31T00:00:00Z"});
      } else {
        (c == kValidFrom ? user.validFrom : user.validTo) = *at;
      }
    }
    for (Column c : {kEntryColumn, kExitColumn}) {
      if (f[c] != "" && f[c] != "0" && f[c] != "1") {
        out.errors.push_back({row, kColumnNames[c], "'" + f[c] + "': 1, 0 or empty (1)"});
      }
      user.accessPoints[c == kEntryColumn ? access::kEntry : access::kExit].enabled = f[c] != "0";
    }
    for (RowError& error : checkLocalUser(user)) {
      error.row = row;
      out.errors.push_back(std::move(error));
    }
    if (out.errors.size() == before) out.users.push_back(std::move(user));
  }
  if (!out.errors.empty()) out.users.clear();
  return out;
}

std::string writeUsersCsv(const std::vector<access::DirectoryUser>& users) {
  std::string out = std::string(kUsersCsvHeader) + "\r\n";
  for (const auto& u : users) {
    out += csvRecord({u.name, joinList(u.plates), formatValidity(u.validFrom),
                      formatValidity(u.validTo), u.accessPoints[access::kEntry].enabled ? "1" : "0",
                      u.accessPoints[access::kExit].enabled ? "1" : "0",
                      joinList(u.accessPoints[access::kEntry].profileIds),
                      joinList(u.accessPoints[access::kExit].profileIds)});
  }
  return out;
}

}  // namespace lpr::plugins::proc_authorize
