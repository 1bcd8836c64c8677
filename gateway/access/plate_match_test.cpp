#include "access/plate_match.h"

#include <gtest/gtest.h>

namespace lpr::access {
namespace {

using enum DeviationMode;

TEST(PlateMatchTest, NormalizeRemovesSpacesAndUpperCases) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"ab 123cd", "AB123CD"}, {" a b ", "AB"}, {"AB123CD", "AB123CD"}, {"äb 1", "ÄB1"}, {"", ""}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(normalizePlate(c.in), c.out);
  }
}

TEST(PlateMatchTest, LengthCountsCharactersWithoutSpaces) {
  EXPECT_EQ(plateLength("AB 123 CD"), 7u);
  EXPECT_EQ(plateLength("ÄB1"), 3u);  // 4 bytes, 3 characters
  EXPECT_EQ(plateLength("   "), 0u);
}

TEST(PlateMatchTest, DeviationModes) {
  const struct {
    const char* read;
    const char* stored;
    DeviationMode mode;
    PlateMatch expected;
  } cases[] = {
      {"AB123CD", "ab 123 cd", None, PlateMatch::Exact},
      {"AB123CD", "AB123CD", Both, PlateMatch::Exact},
      // a missing, an extra and a misread first character
      {"B123CD", "AB123CD", None, PlateMatch::None},
      {"B123CD", "AB123CD", FromStart, PlateMatch::DeviationAtStart},
      {"B123CD", "AB123CD", FromEnd, PlateMatch::None},
      {"B123CD", "AB123CD", Both, PlateMatch::DeviationAtStart},
      {"XAB123CD", "AB123CD", FromStart, PlateMatch::DeviationAtStart},
      {"XAB123CD", "AB123CD", FromEnd, PlateMatch::None},
      {"XB123CD", "AB123CD", FromStart, PlateMatch::DeviationAtStart},
      {"XB123CD", "AB123CD", None, PlateMatch::None},
      // a missing, an extra and a misread last character
      {"AB123C", "AB123CD", FromEnd, PlateMatch::DeviationAtEnd},
      {"AB123C", "AB123CD", FromStart, PlateMatch::None},
      {"AB123C", "AB123CD", Both, PlateMatch::DeviationAtEnd},
      {"AB123CDX", "AB123CD", FromEnd, PlateMatch::DeviationAtEnd},
      {"AB123CX", "AB123CD", FromEnd, PlateMatch::DeviationAtEnd},
      {"AB123CX", "AB123CD", None, PlateMatch::None},
      // one character only, at one end only
      {"XB123CX", "AB123CD", Both, PlateMatch::None},
      {"B123C", "AB123CD", Both, PlateMatch::None},
      {"AB23CD", "AB123CD", Both, PlateMatch::None},
      {"XYAB123CD", "AB123CD", Both, PlateMatch::None},
      // both ends would do: the start is tried first
      {"1111", "11111", Both, PlateMatch::DeviationAtStart},
      {"1111", "11111", FromEnd, PlateMatch::DeviationAtEnd},
      // at least kMinDeviationOverlap characters must agree
      {"B1", "AB1", FromStart, PlateMatch::None},
      {"B12", "AB12", FromStart, PlateMatch::DeviationAtStart},
      {"AB", "AB", None, PlateMatch::Exact},
      // a multi-byte first character is cut whole
      {"B123", "ÄB123", FromStart, PlateMatch::DeviationAtStart},
      {"XB123", "äb123", FromStart, PlateMatch::DeviationAtStart},
      {"", "", Both, PlateMatch::None},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.read) + " vs " + c.stored + " mode " + toString(c.mode));
    EXPECT_EQ(matchPlate(c.read, c.stored, c.mode), c.expected);
  }
}

DirectoryUser user(const char* uuid, std::vector<std::string> plates) {
  DirectoryUser u;
  u.uuid = uuid;
  u.plates = std::move(plates);
  return u;
}

TEST(PlateMatchTest, FindUserTakesTheFirstMatchInDirectoryOrder) {
  const std::vector<DirectoryUser> users = {
      user("u1", {"XB123CD"}), user("u2", {"ZZ1", "AB 123 CD"}), user("u3", {"AB123CD"}),
      user("u4", {"QR4567"}),  user("u5", {"R4567X"}),
  };
  const struct {
    const char* read;
    DeviationMode mode;
    std::optional<std::size_t> user;
    std::size_t plate;
    PlateMatch kind;
  } cases[] = {
      // u2 and u3 share the plate: the first wins
      {"AB123CD", None, 1, 1, PlateMatch::Exact},
      // an exact match later in the directory beats a deviating one earlier (u1)
      {"AB123CD", Both, 1, 1, PlateMatch::Exact},
      // u1, u2 and u3 all deviate at the start: the first wins
      {"QB123CD", FromStart, 0, 0, PlateMatch::DeviationAtStart},
      // u4 deviates at the start, u5 at the end
      {"R4567", Both, 3, 0, PlateMatch::DeviationAtStart},
      {"R4567", FromEnd, 4, 0, PlateMatch::DeviationAtEnd},
      {"QQ999", Both, std::nullopt, 0, PlateMatch::None},
      {"", Both, std::nullopt, 0, PlateMatch::None},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.read) + " mode " + toString(c.mode));
    const auto match = findUser(users, c.read, c.mode);
    ASSERT_EQ(match.has_value(), c.user.has_value());
    if (match) {
      EXPECT_EQ(match->userIndex, *c.user);
      EXPECT_EQ(match->plateIndex, c.plate);
      EXPECT_EQ(match->kind, c.kind);
    }
  }
}

TEST(PlateMatchTest, StartPassRunsBeforeEndPassOverTheWholeDirectory) {
  // u1 matches only with a deviation at the end, u2 only at the start.
  const std::vector<DirectoryUser> users = {user("u1", {"AB123C"}), user("u2", {"B123CD"})};
  EXPECT_EQ(findUser(users, "AB123CD", Both)->userIndex, 1u);
  EXPECT_EQ(findUser(users, "AB123CD", FromEnd)->userIndex, 0u);
}

TEST(PlateMatchTest, ModeNamesRoundTrip) {
  for (DeviationMode mode : {None, FromStart, FromEnd, Both}) {
    EXPECT_EQ(deviationModeFromString(toString(mode)), mode);
  }
  EXPECT_FALSE(deviationModeFromString("sideways"));
}

}  // namespace
}  // namespace lpr::access
