#include "access/access_model.h"

#include <gtest/gtest.h>

#include "access/access_test_support.h"

namespace lpr::access {
namespace {

using namespace std::chrono_literals;

using testing::utc;

DirectoryUser userWithPlates(std::size_t count) {
  DirectoryUser u;
  u.uuid = "u1";
  for (std::size_t i = 0; i < count; ++i) {
    u.plates.push_back("AB" + std::to_string(100 + i));
  }
  return u;
}

TEST(AccessModelTest, ValidUserHasNoErrors) {
  DirectoryUser u = userWithPlates(20);  // the most a user may have
  u.plates[0] = "AB CD EF GH IJ";        // 10 characters without spaces
  u.validFrom = utc(2026, 1, 1);
  u.validTo = utc(2026, 1, 1, 0, 0, 1);
  u.accessPoints[kEntry].profileIds = {"office"};
  EXPECT_EQ(validateUser(u), std::vector<std::string>{});
}

TEST(AccessModelTest, UserErrorsNameTheField) {
  const struct {
    const char* what;
    DirectoryUser user;
    std::vector<std::string> errors;
  } cases[] = {
      {"21st plate", userWithPlates(21), {"plates[20]: a user has at most 20 plates"}},
      {"11 characters",
       [] {
         DirectoryUser u = userWithPlates(4);
         u.plates[3] = "ABCDEFGHIJK";
         return u;
       }(),
       {"plates[3] 'ABCDEFGHIJK': at most 10 characters without spaces"}},
      {"empty plate",
       [] {
         DirectoryUser u = userWithPlates(2);
         u.plates[1] = "  ";
         return u;
       }(),
       {"plates[1]: must not be empty"}},
      {"comma",
       [] {
         DirectoryUser u = userWithPlates(1);
         u.plates[0] = "AB,12";
         return u;
       }(),
       {"plates[0] 'AB,12': must not contain ',' (it separates a user's plates on the device)"}},
      {"validTo before validFrom",
       [] {
         DirectoryUser u = userWithPlates(1);
         u.validFrom = utc(2026, 2, 1);
         u.validTo = utc(2026, 1, 1);
         return u;
       }(),
       {"validTo 2026-01-01T00:00:00Z: must be after validFrom 2026-02-01T00:00:00Z"}},
      {"validTo equal to validFrom",
       [] {
         DirectoryUser u = userWithPlates(1);
         u.validFrom = u.validTo = utc(2026, 1, 1);
         return u;
       }(),
       {"validTo 2026-01-01T00:00:00Z: must be after validFrom 2026-01-01T00:00:00Z"}},
      {"empty profile id",
       [] {
         DirectoryUser u = userWithPlates(1);
         u.accessPoints[kExit].profileIds = {""};
         return u;
       }(),
       {"accessPoints[1].profileIds[0]: must not be empty"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(validateUser(c.user), c.errors);
  }
}

TEST(AccessModelTest, ProfileErrorsNameTheInterval) {
  const auto profile = [](ProfileDay day, std::chrono::minutes start, std::chrono::minutes end) {
    return TimeProfile{"office", "Office", {{day, start, end}}};
  };
  const struct {
    TimeProfile profile;
    std::vector<std::string> errors;
  } cases[] = {
      {profile(ProfileDay::Monday, 7h, 18h), {}},
      {profile(ProfileDay::Holiday, 0h, 24h), {}},
      {profile(ProfileDay::Monday, 18h, 7h),
       {"intervals[0] Mon 18:00-07:00: start must be before end (an interval across midnight is "
        "written as two)"}},
      {profile(ProfileDay::Sunday, 9h, 9h),
       {"intervals[0] Sun 09:00-09:00: start must be before end (an interval across midnight is "
        "written as two)"}},
      {profile(ProfileDay::Friday, 7h, 25h),
       {"intervals[0] Fri 07:00-25:00: times must lie within 00:00-24:00"}},
      {profile(ProfileDay::Friday, -30min, 1h),
       {"intervals[0] Fri -00:30-01:00: times must lie within 00:00-24:00"}},
      {profile(static_cast<ProfileDay>(9), 7h, 8h),
       {"intervals[0]: day 9 is not a weekday (0 Monday … 6 Sunday) or 7 Holiday"}},
      {TimeProfile{"", "Nameless", {}}, {"id: must not be empty"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.errors.empty() ? "valid" : c.errors.front());
    EXPECT_EQ(validateProfile(c.profile), c.errors);
  }
}

TEST(AccessModelTest, HolidayDates) {
  using namespace std::chrono;
  EXPECT_TRUE(validateHoliday({December / 25, std::nullopt}).empty());
  EXPECT_TRUE(validateHoliday({February / 29, std::nullopt}).empty());  // every leap year
  EXPECT_TRUE(validateHoliday({February / 29, year{2028}}).empty());
  EXPECT_EQ(validateHoliday({February / 29, year{2027}}),
            std::vector<std::string>{"date 29/02/2027: not a valid date"});
  EXPECT_EQ(validateHoliday({April / 31, std::nullopt}),
            std::vector<std::string>{"date 31/04: not a valid day and month"});
  EXPECT_EQ(validateHoliday({month{13} / 1, std::nullopt}),
            std::vector<std::string>{"date 01/13: not a valid day and month"});
}

TEST(AccessModelTest, ListEntryErrors) {
  ListEntry ok{ListAction::Deny, "AB 123 CD", "stolen", std::nullopt, std::nullopt, {{0}, {"g1"}}};
  EXPECT_TRUE(validateListEntry(ok).empty());

  ListEntry bad = ok;
  bad.plate = "ABCDEFGHIJKLM";
  bad.validFrom = utc(2026, 3, 1);
  bad.validTo = utc(2026, 2, 1);
  bad.scope = {{0, 2}, {""}};
  EXPECT_EQ(validateListEntry(bad),
            (std::vector<std::string>{
                "plate 'ABCDEFGHIJKLM': at most 12 characters without spaces",
                "validTo 2026-02-01T00:00:00Z: must be after validFrom 2026-03-01T00:00:00Z",
                "scope.accessPoints: 2 is not 0 (entry) or 1 (exit)",
                "scope.gates: a gate id must not be empty"}));
  bad = ok;
  bad.plate = " ";
  EXPECT_EQ(validateListEntry(bad), std::vector<std::string>{"plate: must not be empty"});
}

TEST(AccessModelTest, ValidityBoundsAreInclusiveToTheSecond) {
  const TimePoint from = utc(2026, 1, 1);
  const TimePoint to = utc(2026, 12, 31, 23, 59, 59);
  const struct {
    TimePoint at;
    bool within;
  } cases[] = {
      {from - 1s, false}, {from, true},       {from + 1s, true}, {to - 1s, true},
      {to, true},         {to + 500ms, true}, {to + 1s, false},  {utc(2027, 6, 1), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(formatUtcSeconds(c.at));
    EXPECT_EQ(withinValidity(from, to, c.at), c.within);
  }
  EXPECT_TRUE(withinValidity(std::nullopt, std::nullopt, utc(1999, 1, 1)));
  EXPECT_FALSE(withinValidity(std::nullopt, to, to + 1s));
  EXPECT_FALSE(withinValidity(from, std::nullopt, from - 1s));
}

TEST(AccessModelTest, Formatting) {
  EXPECT_EQ(formatUtcSeconds(utc(2026, 12, 31, 23, 59, 59) + 999ms), "2026-12-31T23:59:59Z");
  EXPECT_EQ(formatClock(7h + 5min), "07:05");
  EXPECT_EQ(formatClock(24h), "24:00");
  EXPECT_EQ(toString(ProfileDay::Holiday), "Holiday");
}

}  // namespace
}  // namespace lpr::access
