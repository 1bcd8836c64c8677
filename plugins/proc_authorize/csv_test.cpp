// The RFC 4180 reader and writer, and the users CSV format built on them.
#include "csv.h"

#include <gtest/gtest.h>

#include "user_csv.h"

namespace lpr::plugins::proc_authorize {
namespace {

using Fields = std::vector<std::string>;

std::vector<Fields> fieldsOf(const CsvResult& result) {
  std::vector<Fields> out;
  for (const auto& record : result.records) out.push_back(record.fields);
  return out;
}

TEST(CsvTest, ParsesQuotedCommasQuotesAndNewlines) {
  const CsvResult r = parseCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(fieldsOf(r),
            (std::vector<Fields>{{"a", "b,c", "say \"hi\""}, {"two\nlines", "", "x"}}));
  EXPECT_EQ(r.records[1].line, 2u);
}

TEST(CsvTest, LastLineWithoutBreakAndEmptyFields) {
  const CsvResult r = parseCsv("a,,\n,b");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(fieldsOf(r), (std::vector<Fields>{{"a", "", ""}, {"", "b"}}));
}

TEST(CsvTest, RecordLinesCountEmbeddedNewlines) {
  const CsvResult r = parseCsv("\"x\ny\nz\"\nnext\n");
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 4u);
}

TEST(CsvTest, RefusesBrokenQuoting) {
  EXPECT_NE(parseCsv("a,\"open\n").error, "");
  EXPECT_NE(parseCsv("a,b\"c\n").error, "");
  const CsvResult after = parseCsv("ok\n\"x\"y,z\n");
  EXPECT_NE(after.error, "");
  EXPECT_EQ(after.errorLine, 2u);
  EXPECT_TRUE(after.records.empty());
}

TEST(CsvTest, WriterQuotesOnlyWhenNeededAndRoundTrips) {
  EXPECT_EQ(csvField("plain"), "plain");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("q\"q"), "\"q\"\"q\"");
  const Fields fields{"", "a,b", "line\r\nbreak", "\"", "x y"};
  const CsvResult r = parseCsv(csvRecord(fields) + csvRecord({"z"}));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(fieldsOf(r), (std::vector<Fields>{fields, {"z"}}));
}

TEST(UsersCsvTest, ParsesUsersWithDefaultsAndWritesThemBack) {
  const std::string text =
      "name,plates,valid_from,valid_to,entry,exit,entry_profiles,exit_profiles\r\n"
      "\"Smith, Jo\",AB123;CD456,2026-01-01T00:00:00Z,,1,0,day;night,\r\n"
      "Van,XY1,,2027-01-01T00:00:00Z,,,,\r\n";
  UsersCsv csv = parseUsersCsv(text);
  ASSERT_TRUE(csv.errors.empty()) << csv.errors.front().message;
  ASSERT_EQ(csv.users.size(), 2u);
  EXPECT_EQ(csv.users[0].name, "Smith, Jo");
  EXPECT_EQ(csv.users[0].plates, (Fields{"AB123", "CD456"}));
  EXPECT_TRUE(csv.users[0].validFrom.has_value());
  EXPECT_FALSE(csv.users[0].accessPoints[1].enabled);
  EXPECT_EQ(csv.users[0].accessPoints[0].profileIds, (Fields{"day", "night"}));
  EXPECT_TRUE(csv.users[0].accessPoints[1].profileIds.empty());
  EXPECT_TRUE(csv.users[1].accessPoints[0].enabled);  // empty: 1
  // Canonical form: empty entry/exit written as 1.
  std::string expected = text;
  expected.replace(expected.rfind(",,,,"), 4, ",1,1,,");
  EXPECT_EQ(writeUsersCsv(csv.users), expected);
}

TEST(UsersCsvTest, AcceptsTheHeaderWithoutProfileColumns) {
  UsersCsv csv = parseUsersCsv("name,plates,valid_from,valid_to,entry,exit\nJo,AB1,,,1,1\n");
  ASSERT_TRUE(csv.errors.empty()) << csv.errors.front().message;
  ASSERT_EQ(csv.users.size(), 1u);
  EXPECT_TRUE(csv.users[0].accessPoints[0].profileIds.empty());
  UsersCsv mixed = parseUsersCsv("name,plates,valid_from,valid_to,entry,exit\nJo,AB1,,,1,1,x,\n");
  ASSERT_EQ(mixed.errors.size(), 1u);
  EXPECT_EQ(mixed.errors[0].message, "8 columns, expected 6");
}

TEST(UsersCsvTest, ReportsEveryBadRowWithItsField) {
  std::string text = "name,plates,valid_from,valid_to,entry,exit\n";
  text += "a,ABCDEFGHIJK,,,1,1\n";                                 // row 1: 11 characters
  text += "b,AB1,yesterday,,1,1\n";                                // row 2: bad date
  text += "c,AB2,,,2,1\n";                                         // row 3: bad entry
  text += "d,AB3,,\n";                                             // row 4: column count
  text += "e,AB4;AB4;;AB5,,,1,1\n";                                // row 5: empty plate
  text += "f,ok,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n";  // row 6: to before from
  const UsersCsv csv = parseUsersCsv(text);
  EXPECT_TRUE(csv.users.empty());
  std::vector<std::pair<std::size_t, std::string>> where;
  for (const auto& e : csv.errors) where.emplace_back(e.row, e.field);
  EXPECT_EQ(where, (std::vector<std::pair<std::size_t, std::string>>{{1, "plates"},
                                                                     {2, "valid_from"},
                                                                     {3, "entry"},
                                                                     {4, ""},
                                                                     {5, "plates"},
                                                                     {6, "valid_to"}}));
}

TEST(UsersCsvTest, RefusesAWrongHeaderAndBrokenSyntax) {
  UsersCsv header = parseUsersCsv("name,plate\nx,AB1\n");
  ASSERT_EQ(header.errors.size(), 1u);
  EXPECT_EQ(header.errors[0].field, "header");
  UsersCsv syntax = parseUsersCsv("name,plates,valid_from,valid_to,entry,exit\n\"x,AB1,,,1,1\n");
  ASSERT_EQ(syntax.errors.size(), 1u);
  EXPECT_NE(syntax.errors[0].message.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace lpr::plugins::proc_authorize
