#include "plate_normalizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lpr::plugins::proc_normalize {
namespace {

PlateNormalizer withRules(const std::vector<std::string>& rules) {
  NormalizerOptions options;
  for (const auto& text : rules) {
    std::string expected;
    auto rule = parseReplaceRule(text, expected);
    EXPECT_TRUE(rule) << text << ": " << expected;
    if (rule) options.replace.push_back(*rule);
  }
  return PlateNormalizer(std::move(options));
}

// ---- the character steps (no country, so no positional repair) ----

struct TextCase {
  const char* name;
  std::string raw;
  std::string plate;
};

class TextSteps : public ::testing::TestWithParam<TextCase> {};

TEST_P(TextSteps, Normalizes) {
  const TextCase& c = GetParam();
  const Normalized out = PlateNormalizer().normalizeDetailed(c.raw, "");
  EXPECT_EQ(out.plate, c.plate) << "raw: " << c.raw;
  EXPECT_FALSE(out.fit) << "no country: no format check";
}

const TextCase kTextCases[] = {
    {"LowerCase", "ab123cd", "AB123CD"},
    {"Hyphens", "AB-123-CD", "AB123CD"},
    {"Spaces", "  AB 123 CD ", "AB123CD"},
    {"TabsAndNewlines", "AB\t123\nCD", "AB123CD"},
    {"Dots", "AB.123.CD", "AB123CD"},
    {"MiddleDot", "AB\u00B7123\u00B7CD", "AB123CD"},
    {"UnderscoreAndSlash", "AB_123/CD", "AB123CD"},
    {"EnAndEmDash", "AB\u2013123\u2014CD", "AB123CD"},
    {"NoBreakSpace", "AB\u00A0123", "AB123"},
    {"FullWidth", "\uFF21\uFF42\uFF11\uFF12\uFF13", "AB123"},
    {"CyrillicLookAlikes", "АВЕКМНОРСТУХ", "ABEKMHOPCTYX"},
    {"CyrillicLowerCase", "авекмнорстух", "ABEKMHOPCTYX"},
    {"CyrillicInPlate", "АВ 123 СЕ", "AB123CE"},
    {"UkrainianI", "АІ1234ВС", "AI1234BC"},
    {"GreekLookAlikes", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"},
    {"GreekLowerCase", "αβεζηικμνορτυχ", "ABEZHIKMNOPTYX"},
    {"CyrillicWithoutTwinDropped", "АД123", "A123"},
    {"UmlautFolded", "TÜ-AB 123", "TUAB123"},
    {"LowerUmlautFolded", "lö 12", "LO12"},
    {"AccentsFolded", "ÉÀÇÑÅ", "EACNA"},
    {"DotlessI", "ı1", "I1"},
    {"RomanianCommaBelow", "Ș Ț", "ST"},
    {"SlashedOWithoutRuleDropped", "Ø12", "12"},
    {"SharpSDropped", "ß1", "1"},
    {"SymbolsDropped", "AB|12\u00A9", "AB12"},
    {"InvalidUtf8Dropped",
     "AB\xFF"
     "12\xC3",
     "AB12"},
    {"Empty", "", ""},
    {"OnlySeparators", " - . / ", ""},
    {"OnlyForeignLetters", "ДЖ", ""},
};

INSTANTIATE_TEST_SUITE_P(PlateNormalizer, TextSteps, ::testing::ValuesIn(kTextCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- replace rules ----

TEST(ReplaceRules, SlashedZeroRule) {
  EXPECT_EQ(withRules({"Ø>0"}).normalize("AB Ø12", ""), "AB012");
  EXPECT_EQ(PlateNormalizer().normalize("AB Ø12", ""), "AB12");
}

TEST(ReplaceRules, AppliedInTheGivenOrder) {
  EXPECT_EQ(withRules({"AB>X", "X>Y"}).normalize("AB1", ""), "Y1");
  EXPECT_EQ(withRules({"X>Y", "AB>X"}).normalize("AB1", ""), "X1");
}

TEST(ReplaceRules, SeeTheTextAfterTheBuiltInSteps) {
  // The Cyrillic о is an O by the time the rule runs; a lower-case FROM matches upper case.
  EXPECT_EQ(withRules({"O>0"}).normalize("о1", ""), "01");
  EXPECT_EQ(withRules({"ø>0"}).normalize("Ø1", ""), "01");
  // Separators are gone before the rules, so a rule spans them.
  EXPECT_EQ(withRules({"AB>X"}).normalize("A-B1", ""), "X1");
}

TEST(ReplaceRules, RunBeforeTheFinalFilter) {
  // '|' would be dropped as "not A-Z/0-9"; the rule sees it first.
  EXPECT_EQ(withRules({"|>1"}).normalize("AB|2", ""), "AB12");
}

TEST(ReplaceRules, EveryOccurrenceAndEmptyTo) {
  EXPECT_EQ(withRules({"Q>O"}).normalize("QQ1Q", ""), "OO1O");
  EXPECT_EQ(withRules({"X>"}).normalize("XAXB1", ""), "AB1");
  // A TO that contains FROM is not re-scanned, so it cannot loop.
  EXPECT_EQ(withRules({"A>AA"}).normalize("A1A", ""), "AA1AA");
}

TEST(ReplaceRules, RunBeforePositionalRepair) {
  NormalizerOptions options;
  std::string expected;
  options.replace.push_back(*parseReplaceRule("Ø>0", expected));
  // FR LLDDDLL: the rule gives 0 at a letter position, which the repair then reads as O.
  EXPECT_EQ(PlateNormalizer(options).normalize("ØC347DE", "FR"), "OC347DE");
}

struct BadRule {
  std::string text;
  std::string mentions;
};

TEST(ReplaceRules, ParseErrorsSayWhatIsExpected) {
  const BadRule cases[] = {
      {"Ø0", "FROM>TO"},       {">0", "not empty"},    {"A-B>C", "separators"},
      {"A B>C", "separators"}, {"A>Ø", "TO has only"}, {"A>B C", "TO has only"},
  };
  for (const auto& c : cases) {
    std::string expected;
    EXPECT_FALSE(parseReplaceRule(c.text, expected)) << c.text;
    EXPECT_NE(expected.find(c.mentions), std::string::npos) << c.text << ": " << expected;
  }
  std::string expected;
  auto rule = parseReplaceRule(" ø > o ", expected);
  ASSERT_TRUE(rule) << expected;
  EXPECT_EQ(rule->from, U"Ø");
  EXPECT_EQ(rule->to, "O");
}

// ---- positional repair ----

// A valid plate of the country made of letters and digits that have no look-alike, and one
// letter and one digit position where no other format of that length differs. Each confusion
// pair is put at both positions the wrong way round; the repair must give the plate back.
struct RepairRow {
  const char* country;
  std::string plate;
  std::size_t letterAt;
  std::size_t digitAt;
};

const RepairRow kRepairRows[] = {
    {"BR", "ACD3E47", 0, 3},  // Mercosul
    {"BR", "ACD3479", 1, 6},  // before Mercosul
    {"CZ", "3A43479", 1, 0}, {"DE", "MKA3474", 0, 6}, {"ES", "3479KLM", 4, 0},
    {"FR", "AC347DE", 0, 2}, {"GB", "AC34DEF", 0, 3}, {"IT", "AC347DE", 6, 4},
    {"NL", "KX347T", 0, 3},  // side-code 9
    {"PL", "KR347AC", 1, 4}, {"US", "ACD3479", 2, 5},
};

class PresetRepair : public ::testing::TestWithParam<RepairRow> {};

TEST_P(PresetRepair, EveryConfusionPairAtALetterAndADigitPosition) {
  const RepairRow& row = GetParam();
  const PlateNormalizer normalizer;
  ASSERT_EQ(normalizer.normalizeDetailed(row.plate, row.country).fit, FormatFit::Matched);
  const std::string letters = "OIBSZG";
  const std::string digits = "018526";
  for (std::size_t i = 0; i < letters.size(); ++i) {
    std::string read = row.plate;
    std::string fixed = row.plate;
    read[row.letterAt] = digits[i];
    fixed[row.letterAt] = letters[i];
    Normalized out = normalizer.normalizeDetailed(read, row.country);
    EXPECT_EQ(out.plate, fixed) << "read " << read;
    EXPECT_EQ(out.fit, FormatFit::Repaired) << "read " << read;

    read = fixed = row.plate;
    read[row.digitAt] = letters[i];
    fixed[row.digitAt] = digits[i];
    out = normalizer.normalizeDetailed(read, row.country);
    EXPECT_EQ(out.plate, fixed) << "read " << read;
    EXPECT_EQ(out.fit, FormatFit::Repaired) << "read " << read;
  }
}

INSTANTIATE_TEST_SUITE_P(PlateNormalizer, PresetRepair, ::testing::ValuesIn(kRepairRows),
                         [](const auto& info) {
                           return std::string(info.param.country) + "_" + info.param.plate;
                         });

struct FitCase {
  const char* name;
  std::string raw;
  std::string country;
  std::string plate;
  std::optional<FormatFit> fit;
};

class FormatCheck : public ::testing::TestWithParam<FitCase> {};

TEST_P(FormatCheck, Outcome) {
  const FitCase& c = GetParam();
  const Normalized out = PlateNormalizer().normalizeDetailed(c.raw, c.country);
  EXPECT_EQ(out.plate, c.plate);
  EXPECT_EQ(out.fit, c.fit);
}

const FitCase kFitCases[] = {
    {"SeparatorsThenRepair", "ab-I23-cd", "FR", "AB123CD", FormatFit::Repaired},
    {"TwoRepairsInOnePlate", "0C34ZDE", "FR", "OC342DE", FormatFit::Repaired},
    {"LowerCaseCountry", "0C347DE", "fr", "OC347DE", FormatFit::Repaired},
    {"CyrillicThenRepair", "АВ I23 СD", "IT", "AB123CD", FormatFit::Repaired},
    // BR: position 5 is a letter (Mercosul) or a digit (old); 8 and Z fit both ways.
    {"AmbiguousLeftAlone", "A8C1Z34", "BR", "A8C1Z34", FormatFit::Ambiguous},
    {"ValidAsReadNotRepaired", "ACD3247", "BR", "ACD3247", FormatFit::Matched},
    {"WrongLengthShort", "0C34DE", "FR", "0C34DE", FormatFit::None},
    {"WrongLengthLong", "0C347DE9", "FR", "0C347DE9", FormatFit::None},
    {"NoFormatFits", "ACDEFHK", "FR", "ACDEFHK", FormatFit::None},
    {"NonConfusableAtDigit", "ACX47DE", "FR", "ACX47DE", FormatFit::None},
    {"OtherCountryOtherShape", "0C347DE", "ES", "0C347DE", FormatFit::None},
    {"UnknownCountryUnchecked", "0C347DE", "AT", "0C347DE", std::nullopt},
    {"NoCountryUnchecked", "0C347DE", "", "0C347DE", std::nullopt},
};

INSTANTIATE_TEST_SUITE_P(PlateNormalizer, FormatCheck, ::testing::ValuesIn(kFitCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PositionalRepair, DefaultCountryOnlyWhenTheEventHasNone) {
  NormalizerOptions options;
  options.defaultCountry = "FR";
  const PlateNormalizer normalizer(options);
  EXPECT_EQ(normalizer.normalize("0C347DE", ""), "OC347DE");
  EXPECT_EQ(normalizer.normalize("0C347DE", " "), "OC347DE");
  // ES (DDDDLLL) cannot fit, and FR is not tried for an ES car.
  EXPECT_EQ(normalizer.normalize("0C347DE", "ES"), "0C347DE");
}

TEST(PositionalRepair, OffWhenDisabledOrFormatsEmpty) {
  NormalizerOptions off;
  off.repair = false;
  const Normalized out = PlateNormalizer(off).normalizeDetailed("0C347DE", "FR");
  EXPECT_EQ(out.plate, "0C347DE");
  EXPECT_FALSE(out.fit);

  NormalizerOptions noFr;
  noFr.formats["FR"] = {};
  EXPECT_FALSE(PlateNormalizer(noFr).normalizeDetailed("0C347DE", "FR").fit);
}

TEST(PositionalRepair, CustomFormats) {
  NormalizerOptions options;
  options.formats["XX"] = {"LLDDD"};
  const PlateNormalizer normalizer(options);
  EXPECT_EQ(normalizer.normalize("A8123", "XX"), "AB123");
  EXPECT_EQ(normalizer.normalize("A8I23", "XX"), "AB123");
}

TEST(FitFormats, AFormatListedTwiceIsOneCandidate) {
  std::string plate = "0C347DE";
  EXPECT_EQ(fitFormats(plate, {"LLDDDLL", "LLDDDLL"}), FormatFit::Repaired);
  EXPECT_EQ(plate, "OC347DE");
}

TEST(FitFormats, ValidFormats) {
  EXPECT_TRUE(isValidFormat("LLDDDLL"));
  EXPECT_TRUE(isValidFormat("D"));
  EXPECT_FALSE(isValidFormat(""));
  EXPECT_FALSE(isValidFormat("LLX"));
  EXPECT_FALSE(isValidFormat("lld"));  // the plugin upper-cases config values first
  EXPECT_FALSE(isValidFormat("LLLLLLDDDDDDD"));
  for (const auto& [country, formats] : presetFormats()) {
    for (const auto& f : formats) EXPECT_TRUE(isValidFormat(f)) << country << " " << f;
  }
}

TEST(CountryCode, TwoOrThreeLetters) {
  EXPECT_EQ(countryCode("de"), "DE");
  EXPECT_EQ(countryCode("DEU"), "DEU");
  EXPECT_FALSE(countryCode("D"));
  EXPECT_FALSE(countryCode("D1"));
  EXPECT_FALSE(countryCode("Germany"));
}

}  // namespace
}  // namespace lpr::plugins::proc_normalize
