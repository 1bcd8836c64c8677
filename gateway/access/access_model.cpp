#include "access/access_model.h"

#include <cstdio>
#include <cstdlib>

#include "access/plate_match.h"

namespace lpr::access {
namespace {

using std::chrono::floor;
using std::chrono::seconds;

std::string indexed(const std::string& field, std::size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

void checkValidity(const std::optional<TimePoint>& from, const std::optional<TimePoint>& to,
                   std::vector<std::string>& errors) {
  // 2N's web UI: Valid From must precede Valid To.
  if (from && to && floor<seconds>(*to) <= floor<seconds>(*from)) {
    errors.push_back("validTo " + formatUtcSeconds(*to) + ": must be after validFrom " +
                     formatUtcSeconds(*from));
  }
}

// An empty or over-long plate, or one with a comma, cannot be stored on a 2N device.
void checkPlate(const std::string& field, const std::string& plate, std::size_t maxLength,
                std::vector<std::string>& errors) {
  const std::size_t length = plateLength(plate);
  if (length == 0) {
    errors.push_back(field + ": must not be empty");
    return;
  }
  if (length > maxLength) {
    errors.push_back(field + " " + quoted(plate) + ": at most " + std::to_string(maxLength) +
                     " characters without spaces");
  }
  // [UNCONFIRMED] 2N keeps a user's plates in one string; the separator is believed to be ','.
  if (plate.find(',') != std::string::npos) {
    errors.push_back(field + " " + quoted(plate) +
                     ": must not contain ',' (it separates a user's plates on the device)");
  }
}

std::string formatDayMonth(const std::chrono::month_day& md) {
  char text[16];
  std::snprintf(text, sizeof text, "%02u/%02u", static_cast<unsigned>(md.day()),
                static_cast<unsigned>(md.month()));
  return text;
}

}  // namespace

std::vector<std::string> validateUser(const DirectoryUser& user) {
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < user.plates.size(); ++i) {
    if (i == kMaxPlatesPerUser) {
      errors.push_back(indexed("plates", i) + ": a user has at most " +
                       std::to_string(kMaxPlatesPerUser) + " plates");
    }
    checkPlate(indexed("plates", i), user.plates[i], kMaxPlateLength, errors);
  }
  checkValidity(user.validFrom, user.validTo, errors);
  for (std::size_t ap = 0; ap < user.accessPoints.size(); ++ap) {
    const auto& ids = user.accessPoints[ap].profileIds;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i].empty()) {
        errors.push_back(indexed("accessPoints", ap) + "." + indexed("profileIds", i) +
                         ": must not be empty");
      }
    }
  }
  return errors;
}

std::vector<std::string> validateProfile(const TimeProfile& profile) {
  using namespace std::chrono_literals;
  std::vector<std::string> errors;
  if (profile.id.empty()) {
    errors.push_back("id: must not be empty");
  }
  for (std::size_t i = 0; i < profile.intervals.size(); ++i) {
    const ProfileInterval& in = profile.intervals[i];
    const std::string field = indexed("intervals", i);
    const int day = static_cast<int>(in.day);
    if (day < 0 || day >= kProfileDays) {
      errors.push_back(field + ": day " + std::to_string(day) +
                       " is not a weekday (0 Monday … 6 Sunday) or 7 Holiday");
      continue;
    }
    const std::string shown =
        field + " " + toString(in.day) + " " + formatClock(in.start) + "-" + formatClock(in.end);
    if (in.start < 0min || in.end > 24h) {
      errors.push_back(shown + ": times must lie within 00:00-24:00");
    } else if (in.start >= in.end) {
      errors.push_back(
          shown + ": start must be before end (an interval across midnight is written as two)");
    }
  }
  return errors;
}

std::vector<std::string> validateHoliday(const Holiday& holiday) {
  std::vector<std::string> errors;
  if (!holiday.date.ok()) {
    errors.push_back("date " + formatDayMonth(holiday.date) + ": not a valid day and month");
  } else if (holiday.year &&
             !std::chrono::year_month_day(*holiday.year, holiday.date.month(), holiday.date.day())
                  .ok()) {
    errors.push_back("date " + formatDayMonth(holiday.date) + "/" +
                     std::to_string(static_cast<int>(*holiday.year)) + ": not a valid date");
  }
  return errors;
}

std::vector<std::string> validateListEntry(const ListEntry& entry) {
  std::vector<std::string> errors;
  checkPlate("plate", entry.plate, kMaxListPlateLength, errors);
  checkValidity(entry.validFrom, entry.validTo, errors);
  for (int ap : entry.scope.accessPoints) {
    if (ap != kEntry && ap != kExit) {
      errors.push_back("scope.accessPoints: " + std::to_string(ap) +
                       " is not 0 (entry) or 1 (exit)");
    }
  }
  if (entry.scope.gates.count("") != 0) {
    errors.push_back("scope.gates: a gate id must not be empty");
  }
  return errors;
}

bool withinValidity(const std::optional<TimePoint>& from, const std::optional<TimePoint>& to,
                    TimePoint at) {
  const auto now = floor<seconds>(at);
  return (!from || floor<seconds>(*from) <= now) && (!to || now <= floor<seconds>(*to));
}

std::string toString(ProfileDay day) {
  static const char* const kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Holiday"};
  const int i = static_cast<int>(day);
  return i >= 0 && i < kProfileDays ? kNames[i] : "day " + std::to_string(i);
}

std::string formatUtcSeconds(TimePoint at) {
  const auto secs = floor<seconds>(at);
  const auto days = floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(secs - days);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return text;
}

std::string formatClock(std::chrono::minutes m) {
  const long long total = m.count();
  const long long magnitude = std::llabs(total);
  char text[32];
  std::snprintf(text, sizeof text, "%s%02lld:%02lld", total < 0 ? "-" : "", magnitude / 60,
                magnitude % 60);
  return text;
}

}  // namespace lpr::access
