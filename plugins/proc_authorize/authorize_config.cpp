#include "authorize_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <sstream>

#include "bus/plate_event.h"

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

namespace {

constexpr long long kDay = 24 * 3600;
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
const char* const kIntervalsHelp =
    "comma-separated intervals DAYS HH:MM-HH:MM, DAYS one of mon … sun, a range such as "
    "mon-fri, daily, or holiday; e.g. mon-fri 07:00-18:00, holiday 09:00-10:00";

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool digits(std::string_view text, std::size_t n) {
  return text.size() == n && std::all_of(text.begin(), text.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::optional<int> dayIndex(std::string_view name) {
  for (std::size_t i = 0; i < kDayNames.size(); ++i) {
    if (kDayNames[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "07:30" → minutes since midnight; 24:00 is allowed (as an end).
std::optional<std::chrono::minutes> parseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || !digits(text.substr(0, 2), 2) ||
      !digits(text.substr(3, 2), 2)) {
    return std::nullopt;
  }
  const int h = std::stoi(std::string(text.substr(0, 2)));
  const int m = std::stoi(std::string(text.substr(3, 2)));
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return std::chrono::minutes(h * 60 + m);
}

// "mon-fri" → Monday … Friday; "holiday" → the Holiday row.
std::optional<std::vector<access::ProfileDay>> parseDays(const std::string& text) {
  if (text == "holiday") return std::vector{access::ProfileDay::Holiday};
  int first = 0, last = 6;
  if (text != "daily") {
    const auto dash = text.find('-');
    const auto from = dayIndex(text.substr(0, dash));
    const auto to = dash == std::string::npos ? from : dayIndex(text.substr(dash + 1));
    if (!from || !to || *to < *from) return std::nullopt;  // no wrap: write sun, mon-fri
    first = *from;
    last = *to;
  }
  std::vector<access::ProfileDay> days;
  for (int d = first; d <= last; ++d) days.push_back(static_cast<access::ProfileDay>(d));
  return days;
}

std::optional<access::TimePoint> readTime(ConfigReader& config, const std::string& key) {
  const std::string text = config.getString(key, "");
  if (text.empty()) return std::nullopt;
  auto parsed = lpr::parseUtc(text);
  if (!parsed) config.problem(key, text, "an ISO 8601 UTC time, e.g. 2026-01-31T00:00:00Z");
  return parsed;
}

void readList(ConfigReader& config, access::AccessData& data) {
  for (const std::string& n : config.childKeys("list")) {
    const std::string base = "list." + n + ".";
    access::ListEntry entry;
    const std::string action = config.getEnum(base + "action", "", {"allow", "deny"});
    if (!config.has(base + "action")) config.problem(base + "action", "", "allow or deny");
    entry.action = action == "allow" ? access::ListAction::Allow : access::ListAction::Deny;
    entry.plate = config.requireString(base + "plate");
    entry.name = config.getString(base + "name", "");
    entry.validFrom = readTime(config, base + "valid_from");
    entry.validTo = readTime(config, base + "valid_to");
    for (const std::string& ap : config.getList(base + "access_points", {})) {
      if (!digits(ap, 1)) {
        config.problem(base + "access_points", ap, "access points 0 (entry) and/or 1 (exit)");
        continue;
      }
      entry.scope.accessPoints.insert(ap[0] - '0');
    }
    for (const std::string& gate : config.getList(base + "gates", {})) {
      entry.scope.gates.insert(gate);
    }
    bool ok = true;
    for (const std::string& error : access::validateListEntry(entry)) {
      const std::string key = base + listEntryField(error);
      config.problem(key, config.getString(key, ""), "a valid list entry (" + error + ")");
      ok = false;
    }
    if (ok && !entry.plate.empty() && !action.empty()) data.list.push_back(std::move(entry));
  }
}

void readProfiles(ConfigReader& config, access::AccessData& data) {
  for (const std::string& id : config.childKeys("profile")) {
    const std::string key = "profile." + id + ".intervals";
    const std::string text = config.requireString(key);
    if (text.empty()) continue;
    std::string error;
    auto intervals = parseIntervals(text, error);
    if (!intervals) {
      config.problem(key, text, std::string(kIntervalsHelp) + " (" + error + ")");
      continue;
    }
    access::TimeProfile profile{id, id, std::move(*intervals)};
    bool ok = true;
    for (const std::string& e : access::validateProfile(profile)) {
      config.problem(key, text, "a valid time profile (" + e + ")");
      ok = false;
    }
    if (ok) data.profiles.push_back(std::move(profile));
  }
}

void readHolidays(ConfigReader& config, access::AccessData& data) {
  for (const std::string& item : config.getList("holidays", {})) {
    auto holiday = parseHoliday(item);
    std::vector<std::string> errors;
    if (holiday) errors = access::validateHoliday(*holiday);
    if (!holiday || !errors.empty()) {
      config.problem("holidays", item,
                     "comma-separated dates YYYY-MM-DD (that day) or MM-DD (every year)" +
                         (errors.empty() ? std::string() : " (" + errors.front() + ")"));
      continue;
    }
    data.holidays.push_back(*holiday);
  }
}

}  // namespace

std::optional<std::vector<access::ProfileInterval>> parseIntervals(std::string_view text,
                                                                   std::string& error) {
  std::vector<access::ProfileInterval> out;
  std::stringstream in{std::string(text)};
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    std::istringstream words(item);
    std::string days, times, extra;
    words >> days >> times >> extra;
    const auto dash = times.find('-');
    const auto dayList = parseDays(lower(days));
    const auto start = parseClock(times.substr(0, dash == std::string::npos ? 0 : dash));
    const auto end = dash == std::string::npos ? std::nullopt : parseClock(times.substr(dash + 1));
    if (!dayList || !start || !end || !extra.empty()) {
      error = "'" + item + "' is not DAYS HH:MM-HH:MM";
      return std::nullopt;
    }
    if (*start == std::chrono::minutes(24 * 60) || *end <= *start) {
      error = "'" + item + "' must end after it starts; write one across midnight as two";
      return std::nullopt;
    }
    for (access::ProfileDay day : *dayList) out.push_back({day, *start, *end});
  }
  if (out.empty()) {
    error = "no interval";
    return std::nullopt;
  }
  return out;
}

std::optional<access::Holiday> parseHoliday(std::string_view text) {
  auto part = [&](std::size_t at, std::size_t n) {
    return static_cast<unsigned>(std::stoi(std::string(text.substr(at, n))));
  };
  access::Holiday holiday;
  if (text.size() == 5 && digits(text.substr(0, 2), 2) && text[2] == '-' &&
      digits(text.substr(3, 2), 2)) {
    holiday.date = std::chrono::month(part(0, 2)) / std::chrono::day(part(3, 2));
    return holiday;
  }
  if (text.size() == 10 && digits(text.substr(0, 4), 4) && text[4] == '-' && text[7] == '-' &&
      digits(text.substr(5, 2), 2) && digits(text.substr(8, 2), 2)) {
    holiday.date = std::chrono::month(part(5, 2)) / std::chrono::day(part(8, 2));
    holiday.year = std::chrono::year(static_cast<int>(part(0, 4)));
    return holiday;
  }
  return std::nullopt;
}

AuthorizeSettings readSettings(ConfigReader& config, const std::string& dataDirectory) {
  AuthorizeSettings s;
  const std::string directory = config.getString("directory", "");
  const std::string path = config.getString("directory_path", "");
  if (!directory.empty() && !path.empty()) {
    config.problem("directory_path", path,
                   "either directory (a sink_2n instance id) or directory_path, not both");
  } else if (!directory.empty()) {
    s.mirrorPath = dataDirectory + "/2n-directory-" + directory + ".db";
  } else {
    s.mirrorPath = path;
  }
  s.maxStaleness = std::chrono::seconds(
      config.getInt("max_staleness_s", s.maxStaleness.count(), 1, 3650 * kDay));
  s.policy = *access::fallbackPolicyFromString(
      config.getEnum("fallback_policy", "deny", {"deny", "allow"}));
  s.data.deviation = *access::deviationModeFromString(
      config.getEnum("deviation", "none", {"none", "start", "end", "both"}));
  s.data.utcOffset = std::chrono::minutes(config.getInt("utc_offset_min", 0, -14 * 60, 14 * 60));
  const std::string zone = config.getString("time_zone", "fixed");
  s.systemTimeZone = zone == "system";
  if (zone != "fixed" && zone != "system") {
    s.zone = NamedZone::find(zone);
    if (!s.zone) {
      config.problem("time_zone", zone,
                     "fixed, system or a tz database zone such as Europe/Prague");
    }
  }
  s.reloadInterval = std::chrono::seconds(config.getInt("reload_interval_s", 5, 1, 3600));
  readList(config, s.data);
  readProfiles(config, s.data);
  readHolidays(config, s.data);
  return s;
}

std::string listEntryField(const std::string& error) {
  if (error.rfind("validFrom", 0) == 0) return "valid_from";
  if (error.rfind("validTo", 0) == 0) return "valid_to";
  if (error.rfind("scope.accessPoints", 0) == 0) return "access_points";
  if (error.rfind("scope.gates", 0) == 0) return "gates";
  if (error.rfind("name", 0) == 0) return "name";
  return "plate";
}

std::chrono::minutes systemUtcOffset(access::TimePoint at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  if (!localtime_r(&t, &local)) return std::chrono::minutes(0);
  return std::chrono::duration_cast<std::chrono::minutes>(std::chrono::seconds(local.tm_gmtoff));
}

std::optional<std::chrono::minutes> decisionUtcOffset(const AuthorizeSettings& settings,
                                                      access::TimePoint at) {
  if (settings.systemTimeZone) return systemUtcOffset(at);
  if (settings.zone) return settings.zone->offsetAt(at);
  return std::nullopt;
}

}  // namespace lpr::plugins::proc_authorize
