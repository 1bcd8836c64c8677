#include "access/time_profile.h"

#include <gtest/gtest.h>

#include "access/access_test_support.h"

namespace lpr::access {
namespace {

using namespace std::chrono_literals;

using testing::utc;

// Mon–Fri 07:00–18:00, no Holiday row.
TimeProfile office() {
  TimeProfile p{"office", "Office hours", {}};
  for (int d = 0; d < 5; ++d) {
    p.intervals.push_back({static_cast<ProfileDay>(d), 7h, 18h});
  }
  return p;
}

TEST(TimeProfileTest, LocalTimeIsUtcPlusOffset) {
  using namespace std::chrono;
  const LocalTime east = toLocalTime(utc(2026, 3, 1, 23, 30), 60min);
  EXPECT_EQ(east.date, 2026y / March / 2);
  EXPECT_EQ(east.weekday, Monday);
  EXPECT_EQ(east.sinceMidnight, 30min);
  const LocalTime west = toLocalTime(utc(2026, 3, 2, 0, 30), -60min);
  EXPECT_EQ(west.date, 2026y / March / 1);
  EXPECT_EQ(west.weekday, Sunday);
  EXPECT_EQ(west.sinceMidnight, 23h + 30min);
}

TEST(TimeProfileTest, HolidaysFixedAndYearly) {
  using namespace std::chrono;
  const std::vector<Holiday> holidays = {{December / 25, std::nullopt}, {May / 1, year{2026}}};
  EXPECT_TRUE(isHoliday(holidays, 2026y / December / 25));
  EXPECT_TRUE(isHoliday(holidays, 2031y / December / 25));
  EXPECT_FALSE(isHoliday(holidays, 2026y / December / 24));
  EXPECT_TRUE(isHoliday(holidays, 2026y / May / 1));
  EXPECT_FALSE(isHoliday(holidays, 2027y / May / 1));
}

TEST(TimeProfileTest, IntervalStartIsInsideEndIsNot) {
  const TimeProfile p = office();
  const struct {
    ProfileDay row;
    std::chrono::seconds at;
    bool active;
  } cases[] = {
      {ProfileDay::Monday, 7h - 1s, false}, {ProfileDay::Monday, 7h, true},
      {ProfileDay::Monday, 18h - 1s, true}, {ProfileDay::Monday, 18h, false},
      {ProfileDay::Friday, 12h, true},      {ProfileDay::Saturday, 12h, false},
      {ProfileDay::Holiday, 12h, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(toString(c.row) + " " + std::to_string(c.at.count()) + " s");
    EXPECT_EQ(isActive(p, c.row, c.at), c.active);
  }
  const TimeProfile allDay{"h", "Holidays", {{ProfileDay::Holiday, 0h, 24h}}};
  EXPECT_TRUE(isActive(allDay, ProfileDay::Holiday, 0s));
  EXPECT_TRUE(isActive(allDay, ProfileDay::Holiday, 24h - 1s));
}

TEST(TimeProfileTest, HolidayRowReplacesTheWeekday) {
  using namespace std::chrono;
  TimeProfile duty = office();
  duty.id = "duty";
  duty.intervals.push_back({ProfileDay::Holiday, 8h, 12h});
  const std::vector<TimeProfile> profiles = {office(), duty};
  const std::vector<Holiday> holidays = {{December / 25, std::nullopt}};
  const struct {
    const char* profile;
    TimePoint at;  // 2026-12-25 is a Friday and a holiday, 2026-12-18 a plain Friday
    bool active;
    bool holiday;
  } cases[] = {
      {"office", utc(2026, 12, 18, 13), true, false},
      {"office", utc(2026, 12, 25, 9), false, true},  // no Holiday row: closed on holidays
      {"duty", utc(2026, 12, 25, 9), true, true},
      {"duty", utc(2026, 12, 25, 13), false, true},  // the weekday row does not apply
      {"duty", utc(2026, 12, 25, 7, 59, 59), false, true},
      {"duty", utc(2026, 12, 18, 13), true, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + " " + formatUtcSeconds(c.at));
    const ProfileCheck check = checkProfiles({c.profile}, profiles, holidays, c.at, 0min);
    EXPECT_EQ(check.active, c.active);
    EXPECT_EQ(check.holiday, c.holiday);
    EXPECT_TRUE(check.unknownIds.empty());
  }
}

TEST(TimeProfileTest, ProfileListSemantics) {
  const std::vector<TimeProfile> profiles = {office()};
  const TimePoint saturday = utc(2026, 3, 7, 10);
  EXPECT_TRUE(checkProfiles({}, profiles, {}, saturday, 0min).active);  // no profiles: always
  const ProfileCheck unknown = checkProfiles({"gone"}, profiles, {}, utc(2026, 3, 2, 10), 0min);
  EXPECT_FALSE(unknown.active);
  EXPECT_EQ(unknown.unknownIds, std::vector<std::string>{"gone"});
  // one active profile of several is enough
  EXPECT_TRUE(checkProfiles({"gone", "office"}, profiles, {}, utc(2026, 3, 2, 10), 0min).active);
  EXPECT_FALSE(checkProfiles({"office"}, profiles, {}, saturday, 0min).active);
}

TEST(TimeProfileTest, ProfilesUseDeviceLocalTime) {
  const std::vector<TimeProfile> profiles = {office()};
  // Monday 2026-03-02, device at UTC+2: 07:00 local is 05:00 UTC.
  EXPECT_FALSE(checkProfiles({"office"}, profiles, {}, utc(2026, 3, 2, 4, 59, 59), 120min).active);
  EXPECT_TRUE(checkProfiles({"office"}, profiles, {}, utc(2026, 3, 2, 5), 120min).active);
  EXPECT_FALSE(checkProfiles({"office"}, profiles, {}, utc(2026, 3, 2, 5), 0min).active);
}

}  // namespace
}  // namespace lpr::access
