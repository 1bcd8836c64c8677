#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

// Plain data for the gateway's local access decision (used while the 2N device cannot be asked).
// Field meanings follow 2n-http-api.md §5 (directory) and §7 (access rules, time profiles).
namespace lpr::access {

using TimePoint = std::chrono::system_clock::time_point;

// 2N accessPoints[i]: 0 = entry, 1 = exit.
inline constexpr int kEntry = 0;
inline constexpr int kExit = 1;
inline constexpr std::size_t kAccessPoints = 2;

// From the 2N LPR FAQ: up to 20 plates per user, up to 10 characters each, spaces ignored.
inline constexpr std::size_t kMaxPlatesPerUser = 20;
inline constexpr std::size_t kMaxPlateLength = 10;
// List entries are the gateway's own; 12 is the longest plateText a 2N device accepts (2.47+).
inline constexpr std::size_t kMaxListPlateLength = 12;

struct AccessPointRule {
  bool enabled = true;
  // Ids of time profiles; at least one must be active. Empty: no time restriction.
  std::vector<std::string> profileIds;
};

struct DirectoryUser {
  std::string uuid;
  std::string name;
  std::string owner;                // managing system ("ACOM", My2N, …), "" when none
  std::vector<std::string> plates;  // as stored, in order
  // Inclusive bounds; nullopt is 2N's "0" (no limit).
  std::optional<TimePoint> validFrom;
  std::optional<TimePoint> validTo;
  std::array<AccessPointRule, kAccessPoints> accessPoints;
};

// A row of a 2N time profile: the seven weekdays, and the Holiday row that replaces the weekday's
// row on a holiday (§7). A profile with no Holiday intervals is therefore inactive on holidays:
// that is how a profile says whether it applies on holidays.
enum class ProfileDay { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday, Holiday };
inline constexpr int kProfileDays = 8;

// Device local wall time; start inclusive, end exclusive, 0 ≤ start < end ≤ 24:00. An interval
// across midnight is written as two.
struct ProfileInterval {
  ProfileDay day = ProfileDay::Monday;
  std::chrono::minutes start{0};
  std::chrono::minutes end{0};
};

struct TimeProfile {
  std::string id;  // what AccessPointRule::profileIds refer to
  std::string name;
  std::vector<ProfileInterval> intervals;
};

// A fixed date ("DD/MM", every year) when year is empty, else that one date (§7 Holidays).
struct Holiday {
  std::chrono::month_day date;
  std::optional<std::chrono::year> year;
};

enum class ListAction { Allow, Deny };

// Where a list entry applies; an empty set does not restrict. With both set, both must match.
struct ListScope {
  std::set<int> accessPoints;   // 0 entry, 1 exit
  std::set<std::string> gates;  // gateway gate ids (e.g. the source instance)
};

// The gateway's own allow / deny list; matched exactly (spaces and case ignored), without the
// directory's character deviation.
struct ListEntry {
  ListAction action = ListAction::Deny;
  std::string plate;
  std::string name;
  std::optional<TimePoint> validFrom;  // inclusive bounds, nullopt = no limit
  std::optional<TimePoint> validTo;
  ListScope scope;
};

// Checks for writes. Each error starts with the field it is about, relative to the object:
// "plates[20]: a user has at most 20 plates". Empty: valid.
std::vector<std::string> validateUser(const DirectoryUser& user);
std::vector<std::string> validateProfile(const TimeProfile& profile);
std::vector<std::string> validateHoliday(const Holiday& holiday);
std::vector<std::string> validateListEntry(const ListEntry& entry);

// True when at lies inside [from, to]; compared in whole seconds, as 2N stores Unix seconds.
bool withinValidity(const std::optional<TimePoint>& from, const std::optional<TimePoint>& to,
                    TimePoint at);

std::string toString(ProfileDay day);             // "Mon" … "Sun", "Holiday"
std::string formatUtcSeconds(TimePoint at);       // "2026-01-31T23:59:59Z"
std::string formatClock(std::chrono::minutes m);  // "07:00", "24:00"

}  // namespace lpr::access
