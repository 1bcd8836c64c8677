#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "access/access_model.h"

namespace lpr::access {

// Time profiles are in the device's local wall time (§7: "correct device time is required").
struct LocalTime {
  std::chrono::year_month_day date;
  std::chrono::weekday weekday;
  std::chrono::seconds sinceMidnight{0};
};

// Local wall time = UTC + a fixed offset. The caller passes the offset in force at `utc` (for a
// zone with daylight saving time, the one of that moment): the library knows no time zones.
LocalTime toLocalTime(TimePoint utc, std::chrono::minutes utcOffset);

bool isHoliday(const std::vector<Holiday>& holidays, const std::chrono::year_month_day& date);

// The profile row in force: the Holiday row on a holiday, else the weekday's (§7).
ProfileDay rowFor(const LocalTime& local, bool holiday);

// Active when an interval of `row` contains the time (start inclusive, end exclusive).
// [UNCONFIRMED] 2N does not say whether an interval's end minute is inside; the gateway takes
// 07:00-18:00 to end at 18:00:00, so 17:59:59 is inside and 18:00:00 is not.
bool isActive(const TimeProfile& profile, ProfileDay row, std::chrono::seconds sinceMidnight);

struct ProfileCheck {
  bool active = false;
  bool holiday = false;                 // the Holiday row was used
  std::vector<std::string> unknownIds;  // referenced ids no profile has
};

// Whether an access point's profile list lets a user in at `at`: no ids = always; else at least
// one referenced profile must be active. A reference to a missing profile is never active, so a
// mirror that lacks a profile fails closed.
ProfileCheck checkProfiles(const std::vector<std::string>& profileIds,
                           const std::vector<TimeProfile>& profiles,
                           const std::vector<Holiday>& holidays, TimePoint at,
                           std::chrono::minutes utcOffset);

}  // namespace lpr::access
