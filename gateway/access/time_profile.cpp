#include "access/time_profile.h"

#include <algorithm>

namespace lpr::access {

LocalTime toLocalTime(TimePoint utc, std::chrono::minutes utcOffset) {
  const auto local = std::chrono::floor<std::chrono::seconds>(utc) + utcOffset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  return LocalTime{std::chrono::year_month_day(day), std::chrono::weekday(day), local - day};
}

bool isHoliday(const std::vector<Holiday>& holidays, const std::chrono::year_month_day& date) {
  return std::any_of(holidays.begin(), holidays.end(), [&](const Holiday& h) {
    return h.date.month() == date.month() && h.date.day() == date.day() &&
           (!h.year || *h.year == date.year());
  });
}

ProfileDay rowFor(const LocalTime& local, bool holiday) {
  if (holiday) {
    return ProfileDay::Holiday;
  }
  return static_cast<ProfileDay>(local.weekday.iso_encoding() - 1);  // ISO: Monday = 1
}

bool isActive(const TimeProfile& profile, ProfileDay row, std::chrono::seconds sinceMidnight) {
  return std::any_of(profile.intervals.begin(), profile.intervals.end(),
                     [&](const ProfileInterval& in) {
                       return in.day == row && in.start <= sinceMidnight && sinceMidnight < in.end;
                     });
}

ProfileCheck checkProfiles(const std::vector<std::string>& profileIds,
                           const std::vector<TimeProfile>& profiles,
                           const std::vector<Holiday>& holidays, TimePoint at,
                           std::chrono::minutes utcOffset) {
  ProfileCheck check;
  if (profileIds.empty()) {
    check.active = true;
    return check;
  }
  const LocalTime local = toLocalTime(at, utcOffset);
  check.holiday = isHoliday(holidays, local.date);
  const ProfileDay row = rowFor(local, check.holiday);
  for (const std::string& id : profileIds) {
    const auto it = std::find_if(profiles.begin(), profiles.end(),
                                 [&](const TimeProfile& p) { return p.id == id; });
    if (it == profiles.end()) {
      check.unknownIds.push_back(id);
    } else if (isActive(*it, row, local.sinceMidnight)) {
      check.active = true;
    }
  }
  return check;
}

}  // namespace lpr::access
