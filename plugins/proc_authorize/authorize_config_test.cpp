// Configuration of proc_authorize: every key is read and checked, and errors name the key.
#include "authorize_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "fake_plugin_context.h"
#include "proc_authorize.h"

namespace lpr::plugins::proc_authorize {
namespace {

using lpr::testing::FakePluginContext;
namespace access = lpr::access;

// Configures a fresh instance and returns the problems, one per line.
std::string problemsOf(FakePluginContext& ctx) {
  ProcAuthorize plugin;
  plugin.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  return ctx.problemText();
}

TEST(AuthorizeConfigTest, SampleConfiguresCleanly) {
  FakePluginContext ctx("auth");
  ctx.loadProperties(PLUGIN_SAMPLE);
  EXPECT_EQ(problemsOf(ctx), "");
}

TEST(AuthorizeConfigTest, DefaultsAndDirectoryPath) {
  FakePluginContext ctx("auth");
  ctx.set("directory", "door");
  AuthorizeSettings s = readSettings(ctx.config(), "/var/lib/lpr");
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(s.mirrorPath, "/var/lib/lpr/2n-directory-door.db");
  EXPECT_EQ(s.maxStaleness, std::chrono::days(14));
  EXPECT_EQ(s.policy, access::FallbackPolicy::Deny);
  EXPECT_EQ(s.data.deviation, access::DeviationMode::None);
  EXPECT_EQ(s.reloadInterval, std::chrono::seconds(5));
}

TEST(AuthorizeConfigTest, DirectoryAndDirectoryPathTogetherIsAnError) {
  FakePluginContext ctx("auth");
  ctx.set("directory", "door").set("directory_path", "/tmp/x.db");
  EXPECT_NE(problemsOf(ctx).find("plugin.auth.directory_path"), std::string::npos);
}

TEST(AuthorizeConfigTest, BadPolicyAndDeviationNameTheirKeys) {
  FakePluginContext ctx("auth");
  ctx.set("fallback_policy", "maybe").set("deviation", "middle");
  const std::string problems = problemsOf(ctx);
  EXPECT_NE(problems.find("plugin.auth.fallback_policy = 'maybe'"), std::string::npos) << problems;
  EXPECT_NE(problems.find("plugin.auth.deviation = 'middle'"), std::string::npos) << problems;
}

TEST(AuthorizeConfigTest, ListEntriesAreReadWithScopeAndValidity) {
  FakePluginContext ctx("auth");
  ctx.set("list.1.action", "allow")
      .set("list.1.plate", "ab 123cd")
      .set("list.1.name", "Delivery")
      .set("list.1.valid_from", "2026-01-01T00:00:00Z")
      .set("list.1.access_points", "0")
      .set("list.1.gates", "cam");
  AuthorizeSettings s = readSettings(ctx.config(), "/d");
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  ASSERT_EQ(s.data.list.size(), 1u);
  const access::ListEntry& e = s.data.list[0];
  EXPECT_EQ(e.action, access::ListAction::Allow);
  EXPECT_EQ(e.name, "Delivery");
  EXPECT_EQ(e.scope.accessPoints, std::set<int>{0});
  EXPECT_EQ(e.scope.gates, std::set<std::string>{"cam"});
  ASSERT_TRUE(e.validFrom.has_value());
  EXPECT_EQ(access::formatUtcSeconds(*e.validFrom), "2026-01-01T00:00:00Z");
  EXPECT_FALSE(e.validTo.has_value());
}

TEST(AuthorizeConfigTest, BadListEntriesNameTheirKeys) {
  FakePluginContext ctx("auth");
  ctx.set("list.1.action", "grant").set("list.1.plate", "AB1");
  ctx.set("list.2.action", "deny").set("list.2.plate", "THIRTEENCHARS");
  ctx.set("list.3.action", "deny").set("list.3.plate", "AB1").set("list.3.access_points", "2");
  ctx.set("list.4.action", "deny").set("list.4.plate", "AB1").set("list.4.valid_to", "tomorrow");
  ctx.set("list.5.action", "deny");  // no plate
  ctx.set("list.6.action", "allow").set("list.6.plate", "AB1").set("list.6.colour", "red");
  const std::string problems = problemsOf(ctx);
  for (const char* key : {"list.1.action", "list.2.plate", "list.3.access_points",
                          "list.4.valid_to", "list.5.plate", "list.6.colour"}) {
    EXPECT_NE(problems.find(std::string("plugin.auth.") + key), std::string::npos)
        << key << " in:\n"
        << problems;
  }
}

TEST(AuthorizeConfigTest, ValidityWindowMustNotBeReversed) {
  FakePluginContext ctx("auth");
  ctx.set("list.1.action", "allow")
      .set("list.1.plate", "AB1")
      .set("list.1.valid_from", "2026-02-01T00:00:00Z")
      .set("list.1.valid_to", "2026-01-01T00:00:00Z");
  EXPECT_NE(problemsOf(ctx).find("plugin.auth.list.1.valid_to"), std::string::npos);
}

TEST(AuthorizeConfigTest, ProfileSyntax) {
  std::string error;
  auto intervals =
      parseIntervals("mon-fri 07:00-18:00, SAT 08:00-12:00, holiday 09:00-24:00", error);
  ASSERT_TRUE(intervals) << error;
  ASSERT_EQ(intervals->size(), 7u);
  EXPECT_EQ((*intervals)[0].day, access::ProfileDay::Monday);
  EXPECT_EQ((*intervals)[4].day, access::ProfileDay::Friday);
  EXPECT_EQ((*intervals)[4].start, std::chrono::hours(7));
  EXPECT_EQ((*intervals)[5].day, access::ProfileDay::Saturday);
  EXPECT_EQ((*intervals)[6].day, access::ProfileDay::Holiday);
  EXPECT_EQ((*intervals)[6].end, std::chrono::hours(24));
  auto daily = parseIntervals("daily 00:00-24:00", error);
  ASSERT_TRUE(daily) << error;
  EXPECT_EQ(daily->size(), 7u);

  for (const char* bad :
       {"", "mon", "mon 7:00-18:00", "fri-mon 07:00-18:00", "mon 18:00-07:00", "mon 07:00-25:00",
        "funday 07:00-08:00", "mon 07:00-08:00 extra", "mon 24:00-24:00", "mon 07:60-08:00"}) {
    EXPECT_FALSE(parseIntervals(bad, error)) << bad;
  }
}

TEST(AuthorizeConfigTest, BadProfileNamesItsKey) {
  FakePluginContext ctx("auth");
  ctx.set("profile.1.intervals", "mon-fri 07:00-18:00");
  ctx.set("profile.2.intervals", "weekdays 7-18");
  const std::string problems = problemsOf(ctx);
  EXPECT_EQ(problems.find("plugin.auth.profile.1"), std::string::npos) << problems;
  EXPECT_NE(problems.find("plugin.auth.profile.2.intervals = 'weekdays 7-18'"), std::string::npos)
      << problems;
}

TEST(AuthorizeConfigTest, Holidays) {
  FakePluginContext ctx("auth");
  ctx.set("holidays", "12-25, 2026-04-06");
  AuthorizeSettings s = readSettings(ctx.config(), "/d");
  ASSERT_TRUE(ctx.problems().empty()) << ctx.problemText();
  ASSERT_EQ(s.data.holidays.size(), 2u);
  EXPECT_FALSE(s.data.holidays[0].year.has_value());
  EXPECT_EQ(s.data.holidays[1].year, std::chrono::year(2026));

  FakePluginContext bad("auth");
  bad.set("holidays", "12-25, 02-30, 2026/04/06");
  const std::string problems = problemsOf(bad);
  EXPECT_NE(problems.find("plugin.auth.holidays = '02-30'"), std::string::npos) << problems;
  EXPECT_NE(problems.find("plugin.auth.holidays = '2026/04/06'"), std::string::npos) << problems;
}

TEST(AuthorizeConfigTest, OnlyOneInstancePerGateway) {
  FakePluginContext ctx("auth");
  ProcAuthorize first, second;
  first.configure(ctx);
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  second.configure(ctx);
  EXPECT_NE(ctx.problemText().find("only one proc_authorize instance"), std::string::npos);
}

TEST(AuthorizeConfigTest, TimeZoneSystemFollowsTheZonesDaylightSavingTime) {
  FakePluginContext ctx("auth");
  ctx.set("time_zone", "system");
  EXPECT_TRUE(readSettings(ctx.config(), ctx.dataDirectory()).systemTimeZone);
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  FakePluginContext bad("auth");
  bad.set("time_zone", "Europe/Praha");
  readSettings(bad.config(), bad.dataDirectory());
  EXPECT_NE(bad.problemText().find("plugin.auth.time_zone"), std::string::npos);
  EXPECT_NE(bad.problemText().find("Europe/Praha"), std::string::npos);

  const char* before = std::getenv("TZ");
  const std::string saved = before ? before : "";
  setenv("TZ", "Europe/Prague", 1);
  tzset();
  const auto winter =
      systemUtcOffset(access::TimePoint(std::chrono::sys_days(std::chrono::year_month_day(
          std::chrono::year(2026), std::chrono::January, std::chrono::day(15)))));
  const auto summer =
      systemUtcOffset(access::TimePoint(std::chrono::sys_days(std::chrono::year_month_day(
          std::chrono::year(2026), std::chrono::July, std::chrono::day(15)))));
  if (before) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_EQ(winter.count(), 60);
  EXPECT_EQ(summer.count(), 120);
}

TEST(AuthorizeConfigTest, TimeZoneNameFollowsThatZoneWhateverTheBoxsZone) {
  FakePluginContext ctx("auth");
  ctx.set("time_zone", "America/New_York").set("utc_offset_min", "60");
  AuthorizeSettings settings = readSettings(ctx.config(), ctx.dataDirectory());
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  ASSERT_TRUE(settings.zone);
  EXPECT_FALSE(settings.systemTimeZone);
  const auto day = [](std::chrono::month month) {
    return access::TimePoint(std::chrono::sys_days(
        std::chrono::year_month_day(std::chrono::year(2026), month, std::chrono::day(15))));
  };
  // The zone's rules, not utc_offset_min and not the box's TZ.
  EXPECT_EQ(decisionUtcOffset(settings, day(std::chrono::January)).value().count(), -300);
  EXPECT_EQ(decisionUtcOffset(settings, day(std::chrono::July)).value().count(), -240);

  FakePluginContext fixed("auth");
  fixed.set("utc_offset_min", "60");
  AuthorizeSettings fixedSettings = readSettings(fixed.config(), fixed.dataDirectory());
  EXPECT_FALSE(decisionUtcOffset(fixedSettings, day(std::chrono::July)).has_value());
  EXPECT_EQ(fixedSettings.data.utcOffset.count(), 60);
}

}  // namespace
}  // namespace lpr::plugins::proc_authorize
