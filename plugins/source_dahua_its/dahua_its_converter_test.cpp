#include "dahua_its_converter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "converter_checks.h"

namespace lpr::plugins::source_dahua_its {
namespace {

const TimePoint kReceived = *parseUtc("2030-01-01T00:00:00.000Z");

std::string load(const std::string& name) {
  std::ifstream in(std::string(PLUGIN_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

WebhookRequest tollgate(const std::string& body,
                        const std::string& path = "/NotificationInfo/TollgateInfo") {
  WebhookRequest request;
  request.path = path;
  request.contentType = "application/json";
  request.body = body;
  request.receivedAt = kReceived;
  return request;
}

DahuaOptions zone(const std::string& text) {
  DahuaOptions options;
  options.zone = *LocalZone::parse(text);
  return options;
}

Conversion convert(const std::string& name, const DahuaOptions& options = {}) {
  return convertDahuaIts(tollgate(load(name)), options);
}

TEST(DahuaItsConverter, TollgateRead) {
  const Conversion c = convert("good_tollgate.json", zone("+02:00"));
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.90);
  // TimeZone 15 is an undocumented index: the configured zone applies.
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_TRUE(e.vehicleId.empty());
  EXPECT_EQ(e.attributes.at("DeviceID"), "ITC-GATE-N");
  EXPECT_EQ(e.attributes.at("TimeZone"), "15");
  EXPECT_EQ(e.attributes.at("Region"), "ITA");
  EXPECT_EQ(e.attributes.at("VehicleType"), "SaloonCar");
  EXPECT_EQ(e.attributes.at("BoundingBox"), "3500,4200,4300,4500");
  EXPECT_EQ(e.sourceEventId.rfind("sha1:", 0), 0u);
  EXPECT_EQ(c.reads[0].imageExtension, "jpg");
  EXPECT_NE(c.reads[0].image.find("dahua-scene"), std::string::npos);
  // A resend is the same read.
  EXPECT_EQ(convert("good_tollgate.json").reads.at(0).event.sourceEventId, e.sourceEventId);
}

TEST(DahuaItsConverter, OffsetTimeZoneInPayloadWinsAndCutoutIsKept) {
  const Conversion c = convert("good_offset_zone_cutout.json", zone("+02:00"));
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plate, "WX4567Y");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.76);  // sent as a string
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-11T04:59:59.000Z");
  EXPECT_EQ(e.direction, Direction::Out);  // Leave
  EXPECT_NE(c.reads[0].image.find("dahua-cutout"), std::string::npos);
}

TEST(DahuaItsConverter, ZoneNameInPayloadWinsAndSystemDoesNot) {
  std::string body = load("good_offset_zone_cutout.json");
  const std::string sent = R"("TimeZone": "-05:00")";
  const auto at = body.find(sent);
  ASSERT_NE(at, std::string::npos);
  // 2024-06-10 23:59:59 local, New York in summer time (-04:00).
  Conversion c = convertDahuaIts(
      tollgate(std::string(body).replace(at, sent.size(), R"("TimeZone":"America/New_York")")),
      zone("+02:00"));
  ASSERT_FALSE(c.error) << c.error->message;
  EXPECT_EQ(formatUtc(c.reads.at(0).event.capturedAt), "2024-06-11T03:59:59.000Z");
  c = convertDahuaIts(tollgate(body.replace(at, sent.size(), R"("TimeZone":"system")")),
                      zone("+02:00"));
  ASSERT_FALSE(c.error) << c.error->message;
  EXPECT_EQ(formatUtc(c.reads.at(0).event.capturedAt), "2024-06-10T21:59:59.000Z");
}

TEST(DahuaItsConverter, ApproachMapsToOutWhenConfigured) {
  DahuaOptions options;
  options.approach = Direction::Out;
  EXPECT_EQ(convert("good_tollgate.json", options).reads.at(0).event.direction, Direction::Out);
  EXPECT_EQ(convert("good_offset_zone_cutout.json", options).reads.at(0).event.direction,
            Direction::In);
}

TEST(DahuaItsConverter, WithoutTimeOrConfidence) {
  const Conversion c = convert("good_no_time_no_confidence.json");
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plate, "KR 7781");
  EXPECT_FALSE(e.confidence);
  EXPECT_EQ(e.capturedAt, kReceived);
  EXPECT_EQ(e.direction, Direction::Unknown);
  EXPECT_TRUE(c.reads[0].image.empty());
}

TEST(DahuaItsConverter, KeepAliveAndDeviceInfoAreHeartbeats) {
  for (const char* path : {"/NotificationInfo/KeepAlive", "/NotificationInfo/DeviceInfo",
                           "/NotificationInfo/KeepAlive/"}) {
    const Conversion c = convertDahuaIts(tollgate(load("keepalive.json"), path), {});
    EXPECT_TRUE(c.heartbeat) << path;
    EXPECT_FALSE(c.error) << path;
    EXPECT_TRUE(c.reads.empty()) << path;
  }
  const Conversion other = convertDahuaIts(tollgate("{}", "/NotificationInfo/Other"), {});
  EXPECT_FALSE(other.error);
  EXPECT_FALSE(other.heartbeat);
  EXPECT_FALSE(other.ignored.empty());
}

TEST(DahuaItsConverter, EmptyPlateIsIgnored) {
  const Conversion c = convert("ignored_empty_plate.json");
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_FALSE(c.ignored.empty());
}

TEST(DahuaItsConverter, BadImageKeepsTheRead) {
  const Conversion c = convert("bad_image_base64.json");
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_TRUE(c.reads[0].image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "Picture.NormalPic.Content");
}

TEST(DahuaItsConverter, BadPayloadsNameKindAndField) {
  lpr::testing::expectRefusals(
      [](const std::string& file) { return convert(file); },
      {
          {"bad_malformed.json", "malformed_json", ""},
          {"bad_no_picture.json", "missing_field", "Picture"},
          {"bad_missing_plate.json", "missing_field", "Picture.Plate.PlateNumber"},
          {"bad_confidence.json", "bad_value", "Picture.Plate.Confidence"},
          {"bad_time.json", "bad_value", "Picture.SnapInfo.AccurateTime"},
      });
  for (const char* body :
       {"", "[]", "null", "42", R"({"Picture":[]})", R"({"Picture":{"Plate":"AB"}})"}) {
    const Conversion conversion = convertDahuaIts(tollgate(body), {});
    EXPECT_TRUE(conversion.error) << body;
  }
}

}  // namespace
}  // namespace lpr::plugins::source_dahua_its
