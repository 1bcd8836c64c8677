#include "webhook/payload_values.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace lpr {
namespace {

Poco::JSON::Object::Ptr parse(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(PayloadValues, Base64IsStrictAndBounded) {
  EXPECT_EQ(decodeBase64("/9j/4A==", 100).value_or("?"), std::string("\xFF\xD8\xFF\xE0", 4));
  EXPECT_EQ(decodeBase64("/9j/4A", 100).value_or("?"), std::string("\xFF\xD8\xFF\xE0", 4))
      << "padding is optional";
  EXPECT_EQ(decodeBase64("data:image/jpeg;base64,/9j/\n4A==", 100).value_or("?"),
            std::string("\xFF\xD8\xFF\xE0", 4));
  EXPECT_EQ(decodeBase64("", 100).value_or("?"), "");
  for (const char* bad : {"/9j/4A=x", "/9j*4A==", "A", "AB===", "data:image/jpeg,/9j/"}) {
    EXPECT_FALSE(decodeBase64(bad, 100)) << bad;
  }
  EXPECT_FALSE(decodeBase64("QUJDRA==", 3)) << "4 bytes over a 3-byte limit";
  EXPECT_TRUE(decodeBase64("QUJDRA==", 4));
}

TEST(PayloadValues, ImageKindByMagic) {
  EXPECT_EQ(imageExtension(std::string("\xFF\xD8\xFF\xE0", 4)), "jpg");
  EXPECT_EQ(imageExtension(std::string("\x89PNG\r\n\x1a\n....", 12)), "png");
  EXPECT_EQ(imageExtension("GIF89a"), "");
  EXPECT_EQ(imageExtension(""), "");
}

TEST(PayloadValues, ContentIdSeparatesFields) {
  EXPECT_EQ(contentId({"ab", "c"}), contentId({"ab", "c"}));
  EXPECT_NE(contentId({"ab", "c"}), contentId({"a", "bc"}));
  EXPECT_EQ(contentId({"x"}).rfind("sha1:", 0), 0u);
  EXPECT_EQ(contentId({"x"}).size(), 5u + 40u);
}

TEST(PayloadValues, JsonValuesOfEitherType) {
  auto object = parse(R"({"s":"0.70","n":0.7,"i":12,"b":true,"dash":"-","o":{},"a":[],"z":null})");
  EXPECT_EQ(jsonText(*object, "s").value_or("?"), "0.70");
  EXPECT_EQ(jsonText(*object, "i").value_or("?"), "12");
  EXPECT_EQ(jsonText(*object, "b").value_or("?"), "true");
  EXPECT_FALSE(jsonText(*object, "o"));
  EXPECT_FALSE(jsonText(*object, "a"));
  EXPECT_FALSE(jsonText(*object, "z"));
  EXPECT_FALSE(jsonText(*object, "missing"));
  EXPECT_DOUBLE_EQ(jsonNumber(*object, "s").value_or(-1), 0.70);
  EXPECT_DOUBLE_EQ(jsonNumber(*object, "n").value_or(-1), 0.7);
  EXPECT_DOUBLE_EQ(jsonNumber(*object, "i").value_or(-1), 12);
  EXPECT_FALSE(jsonNumber(*object, "dash"));
  EXPECT_FALSE(jsonNumber(*object, "b"));
  EXPECT_FALSE(jsonNumber(*object, "o"));
  EXPECT_FALSE(parseNumber("1e999")) << "not finite";
  EXPECT_FALSE(parseNumber("12abc"));
  EXPECT_DOUBLE_EQ(parseNumber(" 87 ").value_or(-1), 87);
}

TEST(PayloadValues, ConfidenceScales) {
  EXPECT_DOUBLE_EQ(normalizedConfidence(87, 100).value_or(-1), 0.87);
  EXPECT_DOUBLE_EQ(normalizedConfidence(0.5, 1).value_or(-1), 0.5);
  EXPECT_FALSE(normalizedConfidence(101, 100));
  EXPECT_FALSE(normalizedConfidence(-0.1, 1));
}

TEST(PayloadValues, LocalTimesToUtc) {
  int ms = -1;
  auto local = parseLocalDateTime("2026-11-24 20:30:06.123", &ms);
  ASSERT_TRUE(local);
  EXPECT_EQ(ms, 123);
  EXPECT_EQ(formatUtc(LocalZone::parse("+01:00")->toUtc(*local, ms)), "2026-11-24T19:30:06.123Z");
  EXPECT_EQ(formatUtc(LocalZone::parse("UTC")->toUtc(*local, ms)), "2026-11-24T20:30:06.123Z");
  EXPECT_EQ(formatUtc(LocalZone::parse("-05:30")->toUtc(*local, ms)), "2026-11-25T02:00:06.123Z");
  EXPECT_TRUE(parseLocalDateTime("2026-11-24T20:30:06", nullptr));
  for (const char* bad :
       {"2026-13-01 00:00:00", "2026-11-24", "24.11.2026 20:30:06", "2026-11-24 20:30:06.",
        "2026-11-24 20:30:06Z", "-", "4048-01-01 00:00:00", "1999-12-31 23:59:59"}) {
    EXPECT_FALSE(parseLocalDateTime(bad, nullptr)) << bad;
  }
  for (const char* bad : {"+1:00", "+15:00", "01:00", "Mars/Olympus_Mons", "europe/prague",
                          "../../etc/passwd", "/etc/localtime", ""}) {
    EXPECT_FALSE(LocalZone::parse(bad)) << bad;
  }
  EXPECT_EQ(LocalZone::parse("-05:30")->toString(), "-05:30");
}

TEST(PayloadValues, SystemZoneFollowsTheZoneRules) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "Europe/Prague", 1);
  tzset();
  auto zone = LocalZone::parse("system");
  ASSERT_TRUE(zone);
  auto winter = parseLocalDateTime("2026-01-15 12:00:00", nullptr);
  auto summer = parseLocalDateTime("2026-07-15 12:00:00", nullptr);
  EXPECT_EQ(formatUtc(zone->toUtc(*winter)), "2026-01-15T11:00:00.000Z");
  EXPECT_EQ(formatUtc(zone->toUtc(*summer)), "2026-07-15T10:00:00.000Z");
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(PayloadValues, NamedZoneFollowsItsRulesWhateverTheBoxsZone) {
  auto zone = LocalZone::parse("Europe/Prague");
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->toString(), "Europe/Prague");
  auto winter = parseLocalDateTime("2026-01-15 12:00:00", nullptr);
  auto summer = parseLocalDateTime("2026-07-15 12:00:00", nullptr);
  EXPECT_EQ(formatUtc(zone->toUtc(*winter, 250)), "2026-01-15T11:00:00.250Z");
  EXPECT_EQ(formatUtc(zone->toUtc(*summer)), "2026-07-15T10:00:00.000Z");
  // 2026-03-29 02:30 does not exist there (02:00 → 03:00): read with the winter offset.
  EXPECT_EQ(formatUtc(zone->toUtc(*parseLocalDateTime("2026-03-29 02:30:00", nullptr))),
            "2026-03-29T01:30:00.000Z");
  // 2026-10-25 02:30 happens twice (03:00 → 02:00): the first, still summer time.
  EXPECT_EQ(formatUtc(zone->toUtc(*parseLocalDateTime("2026-10-25 02:30:00", nullptr))),
            "2026-10-25T00:30:00.000Z");
  auto sydney = LocalZone::parse("Australia/Sydney");
  ASSERT_TRUE(sydney);
  EXPECT_EQ(formatUtc(sydney->toUtc(*summer)), "2026-07-15T02:00:00.000Z");
  EXPECT_EQ(formatUtc(sydney->toUtc(*winter)), "2026-01-15T01:00:00.000Z");
}

TEST(PayloadValues, NamedZoneOffsets) {
  auto zone = NamedZone::find("America/New_York");
  ASSERT_TRUE(zone);
  auto at = [](const char* iso) { return parseIsoWithZone(iso).value(); };
  EXPECT_EQ(zone->offsetAt(at("2026-01-15T12:00:00Z")).count(), -300);
  EXPECT_EQ(zone->offsetAt(at("2026-07-15T12:00:00Z")).count(), -240);
  EXPECT_EQ(NamedZone::find("Asia/Kolkata")->offsetAt(at("2026-07-15T12:00:00Z")).count(), 330);
  EXPECT_FALSE(NamedZone::find("Nowhere/Atlantis"));
}

TEST(PayloadValues, IsoTimesNeedAZone) {
  EXPECT_EQ(formatUtc(parseIsoWithZone("2026-11-24T20:30:06+01:00").value()),
            "2026-11-24T19:30:06.000Z");
  EXPECT_EQ(formatUtc(parseIsoWithZone("2026-11-24T20:30:06.250Z").value()),
            "2026-11-24T20:30:06.250Z");
  EXPECT_FALSE(parseIsoWithZone("2026-11-24T20:30:06")) << "local time without a zone";
  EXPECT_FALSE(parseIsoWithZone("yesterday at noon, +01:00"));
  EXPECT_FALSE(parseIsoWithZone("1970-01-01T00:00:00Z")) << "before 2000: a camera without NTP";
}

TEST(PayloadValues, EpochTimes) {
  EXPECT_EQ(formatUtc(fromEpochMs(1764016206123.0).value()), "2025-11-24T20:30:06.123Z");
  EXPECT_EQ(formatUtc(fromEpochSeconds(1764016206.5).value()), "2025-11-24T20:30:06.500Z");
  EXPECT_FALSE(fromEpochMs(12));
  EXPECT_FALSE(fromEpochSeconds(1e300));
}

}  // namespace
}  // namespace lpr
