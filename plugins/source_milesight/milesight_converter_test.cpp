#include "milesight_converter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "converter_checks.h"

namespace lpr::plugins::source_milesight {
namespace {

const TimePoint kReceived = *parseUtc("2030-01-01T00:00:00.000Z");

std::string load(const std::string& name) {
  std::ifstream in(std::string(PLUGIN_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

WebhookRequest post(const std::string& body) {
  WebhookRequest request;
  request.path = "/lpr/milesight";
  request.contentType = "application/json";
  request.body = body;
  request.receivedAt = kReceived;
  return request;
}

MilesightOptions inZone(const std::string& zone) {
  MilesightOptions options;
  options.zone = *LocalZone::parse(zone);
  return options;
}

Conversion convert(const std::string& name, const MilesightOptions& options = {}) {
  return convertMilesight(post(load(name)), options);
}

TEST(MilesightConverter, FullPost) {
  const Conversion c = convert("good_full.json", inZone("+02:00"));
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.91);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(e.country, "ITA");
  EXPECT_TRUE(e.vehicleId.empty());
  EXPECT_EQ(e.attributes.at("device"), "Gate N");
  EXPECT_EQ(e.attributes.at("list_type"), "Visitor");
  EXPECT_EQ(e.attributes.at("vehicle_brand"), "Fiat");
  EXPECT_EQ(e.attributes.at("plate_box"), "1014,624,1110,666");
  EXPECT_EQ(e.attributes.at("resolution"), "1920x1080");
  EXPECT_FALSE(e.attributes.contains("speed"));  // "-"
  EXPECT_EQ(c.reads[0].imageExtension, "jpg");
  EXPECT_NE(c.reads[0].image.find("milesight-plate"), std::string::npos);
  // The id is over device, time and plate: a resent post is recognised.
  EXPECT_EQ(e.sourceEventId.rfind("sha1:", 0), 0u);
  EXPECT_EQ(convert("good_full.json").reads.at(0).event.sourceEventId, e.sourceEventId);
  EXPECT_NE(convert("good_away_no_image.json").reads.at(0).event.sourceEventId, e.sourceEventId);
}

TEST(MilesightConverter, DashesMeanMissing) {
  const Conversion c = convert("good_dashes.json");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plate, "KR7781");
  EXPECT_FALSE(e.confidence);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T23:59:59.250Z");  // time_msec, zone UTC
  EXPECT_EQ(e.direction, Direction::Unknown);
  EXPECT_TRUE(e.country.empty());
  EXPECT_FALSE(e.attributes.contains("plate_box"));
  EXPECT_FALSE(e.attributes.contains("vehicle_brand"));
  EXPECT_EQ(c.reads[0].imageExtension, "png");
}

TEST(MilesightConverter, AwayAndApproachFollowTheConfiguration) {
  const Conversion c = convert("good_away_no_image.json");
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(c.reads[0].event.direction, Direction::Out);
  EXPECT_DOUBLE_EQ(*c.reads[0].event.confidence, 0.70);
  EXPECT_TRUE(c.reads[0].image.empty());
  MilesightOptions options;
  options.approach = Direction::Out;
  EXPECT_EQ(convert("good_away_no_image.json", options).reads.at(0).event.direction, Direction::In);
  EXPECT_EQ(convert("good_full.json", options).reads.at(0).event.direction, Direction::Out);
}

TEST(MilesightConverter, NoPlateIsIgnored) {
  const Conversion c = convert("ignored_no_plate.json");
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_FALSE(c.ignored.empty());
}

TEST(MilesightConverter, BadImageKeepsTheRead) {
  const Conversion c = convert("bad_image.json");
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_TRUE(c.reads[0].image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "plate_image");
}

TEST(MilesightConverter, BadPayloadsNameKindAndField) {
  lpr::testing::expectRefusals([](const std::string& file) { return convert(file); },
                               {
                                   {"bad_malformed.json", "malformed_json", ""},
                                   {"bad_missing_plate.json", "missing_field", "plate"},
                                   {"bad_confidence.json", "bad_value", "confidence"},
                                   {"bad_time.json", "bad_value", "time"},
                               });
  for (const char* body : {"", "[]", "null", "\"plate\"", R"({"plate":{}})"}) {
    EXPECT_TRUE(convertMilesight(post(body), {}).error) << body;
  }
}

}  // namespace
}  // namespace lpr::plugins::source_milesight
