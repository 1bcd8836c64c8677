#include "ocr/plate_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

namespace lpr::ocr {
namespace {

// A read of `text` (padded to 10 slots) where some slots also give mass to other characters:
// alternatives[i] = {{'0', 0.3f}} means slot i's read keeps the rest and '0' gets 0.3.
struct Read {
  std::vector<SlotProbs> probs;
  std::vector<int> classes;
};

Read makeRead(const std::string& text,
              const std::map<std::size_t, std::map<char, float>>& alts = {}) {
  Read r;
  std::string slots = text + std::string(10 - text.size(), '_');
  for (std::size_t s = 0; s < slots.size(); ++s) {
    SlotProbs p{};
    float rest = 1.0f;
    if (auto it = alts.find(s); it != alts.end()) {
      for (auto [ch, v] : it->second) {
        p[charClass(ch)] = v;
        rest -= v;
      }
    }
    p[charClass(slots[s])] = rest;
    r.probs.push_back(p);
    r.classes.push_back(charClass(slots[s]));
  }
  return r;
}

std::string repaired(const Read& r, Region region) {
  return slotsText(repairPlate(r.probs, r.classes, region));
}

TEST(PlateFormatTest, RegionNames) {
  EXPECT_EQ(regionFromString("br"), Region::Br);
  EXPECT_EQ(regionFromString("auto"), Region::Auto);
  EXPECT_EQ(regionFromString("BR"), std::nullopt);
  EXPECT_STREQ(toString(Region::Eu), "eu");
}

TEST(PlateFormatTest, BrazilFixesLettersAndDigitsByPosition) {
  // AY09034 read with 0 where the plate has O (slot 2 must be a letter); also I/1 and B/8.
  EXPECT_EQ(repaired(makeRead("AY09034", {{2, {{'O', 0.2f}}}}), Region::Br), "AYO9034");
  EXPECT_EQ(repaired(makeRead("OEL11I5", {{5, {{'1', 0.1f}}}}), Region::Br), "OEL1115");
  EXPECT_EQ(repaired(makeRead("8ZF0384", {{0, {{'B', 0.05f}}}}), Region::Br), "BZF0384");
}

TEST(PlateFormatTest, BrazilKeepsMercosurPlates) {
  EXPECT_EQ(repaired(makeRead("RIO2A18"), Region::Br), "RIO2A18");
  EXPECT_EQ(repaired(makeRead("RIO2B1B", {{6, {{'8', 0.3f}}}}), Region::Br), "RIO2B18");
  // Both formats fit RIO2818 and RIO2B18; the read that needs no change wins.
  EXPECT_EQ(repaired(makeRead("RIO2818", {{4, {{'B', 0.3f}}}}), Region::Br), "RIO2818");
}

TEST(PlateFormatTest, BrazilLeavesReadsOfAnotherLengthAlone) {
  EXPECT_EQ(repaired(makeRead("AY0903"), Region::Br), "AY0903");
}

TEST(PlateFormatTest, BrazilDoesNotForceACertainRead) {
  // The recognizer is sure of the digit; forcing it to a letter would cost more than allowed.
  EXPECT_EQ(repaired(makeRead("AY09034"), Region::Br), "AY09034");
}

TEST(PlateFormatTest, LookAlikeBetweenDigitsBecomesADigit) {
  EXPECT_EQ(repaired(makeRead("RK3O5AB", {{3, {{'0', 0.3f}}}}), Region::Eu), "RK305AB");
  EXPECT_EQ(repaired(makeRead("7ABC1Z3", {{5, {{'2', 0.2f}}}}), Region::Eu), "7ABC123");
}

TEST(PlateFormatTest, LookAlikeBetweenLettersBecomesALetter) {
  EXPECT_EQ(repaired(makeRead("AB8CD12", {{2, {{'B', 0.3f}}}}), Region::Eu), "ABBCD12");
  EXPECT_EQ(repaired(makeRead("X5Y123", {{1, {{'S', 0.1f}}}}), Region::Eu), "XSY123");
}

TEST(PlateFormatTest, LookAlikeRepairNeedsTheRecognizersSupport) {
  // Without mass on the look-alike nothing changes.
  EXPECT_EQ(repaired(makeRead("AB8CD12"), Region::Eu), "AB8CD12");
  EXPECT_EQ(repaired(makeRead("AB8CD12", {{2, {{'B', 0.01f}}}}), Region::Eu), "AB8CD12");
  // Ends of the plate have one neighbour only: left alone.
  EXPECT_EQ(repaired(makeRead("O12345", {{0, {{'0', 0.4f}}}}), Region::Eu), "O12345");
}

TEST(PlateFormatTest, UsKeepsDigitsBetweenLettersAndReadsOAsZero) {
  // SL7C6S-style plates mix kinds on purpose; a look-alike with some mass does not change them.
  EXPECT_EQ(repaired(makeRead("SL7C6S", {{4, {{'G', 0.3f}}}}), Region::Us), "SL7C6S");
  EXPECT_EQ(repaired(makeRead("DK0H7Z", {{2, {{'O', 0.4f}}}}), Region::Us), "DK0H7Z");
  EXPECT_EQ(repaired(makeRead("HLOKTY1"), Region::Us), "HL0KTY1");
  EXPECT_EQ(repaired(makeRead("0SG719"), Region::Us), "0SG719");
}

TEST(PlateFormatTest, AutoSettlesOnlyNearCoinFlipsByNeighbours) {
  EXPECT_EQ(repaired(makeRead("SL7C6S", {{4, {{'G', 0.3f}}}}), Region::Auto), "SL7C6S");
  EXPECT_EQ(repaired(makeRead("SL7C6S", {{4, {{'G', 0.45f}}}}), Region::Auto), "SL7CGS");
}

TEST(PlateFormatTest, AutoAppliesOnlyCheapBrazilFits) {
  EXPECT_EQ(repaired(makeRead("AY09034", {{2, {{'O', 0.45f}}}}), Region::Auto), "AYO9034");
  EXPECT_EQ(repaired(makeRead("AY09034", {{2, {{'O', 0.05f}}}}), Region::Auto), "AY09034");
}

TEST(PlateFormatTest, FitPatternReportsItsCost) {
  const auto r = makeRead("AB12", {{2, {{'I', 0.25f}}}});
  const auto fit = fitPattern(r.probs, r.classes, "LLLD", 10.0f);
  ASSERT_TRUE(fit.has_value());
  EXPECT_EQ(slotsText(fit->classes), "ABI2");
  EXPECT_NEAR(fit->penalty, std::log(0.75f / 0.25f), 1e-4f);
  EXPECT_FALSE(fitPattern(r.probs, r.classes, "LLLD", 0.5f).has_value());
  EXPECT_FALSE(fitPattern(r.probs, r.classes, "LLLDD", 10.0f).has_value());
  EXPECT_TRUE(fitPattern(r.probs, r.classes, "????", 0.0f).has_value());
}

}  // namespace
}  // namespace lpr::ocr
