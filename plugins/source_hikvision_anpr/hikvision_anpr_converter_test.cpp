#include "hikvision_anpr_converter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "converter_checks.h"

namespace lpr::plugins::source_hikvision_anpr {
namespace {

const TimePoint kReceived = *parseUtc("2030-01-01T00:00:00.000Z");

std::string load(const std::string& name) {
  std::ifstream in(std::string(PLUGIN_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// As the camera sends it: a multipart file's first line is its delimiter.
WebhookRequest requestFor(const std::string& name) {
  WebhookRequest request;
  request.path = "/lpr/hikvision";
  request.body = load(name);
  EXPECT_FALSE(request.body.empty()) << name;
  if (request.body.starts_with("--")) {
    request.contentType =
        "multipart/form-data; boundary=" + request.body.substr(2, request.body.find("\r\n") - 2);
  } else {
    request.contentType = "application/xml; charset=\"UTF-8\"";
  }
  request.receivedAt = kReceived;
  return request;
}

Conversion convert(const std::string& name, HikvisionOptions options = {}) {
  return convertHikvisionAnpr(requestFor(name), options);
}

std::string utc(TimePoint time) { return formatUtc(time); }

TEST(HikvisionAnprConverter, MultipartWithPlatePicture) {
  const Conversion c = convert("good_multipart.multipart");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.sourceEventId, "20240610081320000-c056e3000001-0001");
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  ASSERT_TRUE(e.confidence);
  EXPECT_DOUBLE_EQ(*e.confidence, 0.91);
  EXPECT_EQ(utc(e.capturedAt), "2024-06-10T06:13:20.000Z");
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_TRUE(e.vehicleId.empty());  // Hikvision has no per-vehicle id
  EXPECT_TRUE(e.country.empty());    // numeric code, table unknown: kept as an attribute
  EXPECT_EQ(e.attributes.at("country"), "46");
  EXPECT_EQ(e.attributes.at("macAddress"), "c0:56:e3:00:00:01");
  EXPECT_EQ(e.attributes.at("channelName"), "Gate N");
  EXPECT_EQ(e.attributes.at("vehicleColor"), "white");
  EXPECT_EQ(e.attributes.at("plateRect"), "820,640,180,60");
  EXPECT_EQ(e.attributes.at("isDataRetransmission"), "false");
  EXPECT_EQ(c.reads[0].imageExtension, "jpg");
  EXPECT_NE(c.reads[0].image.find("plate-crop"), std::string::npos);  // the crop, not the scene
  EXPECT_TRUE(c.warnings.empty());
}

TEST(HikvisionAnprConverter, PartsWithoutFilenameOtherNamespaceAndBoundary) {
  const Conversion c = convert("good_multipart_no_filename.multipart");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plate, "WX4567Y");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.76);
  EXPECT_EQ(utc(e.capturedAt), "2024-06-11T04:59:59.250Z");
  EXPECT_EQ(e.direction, Direction::Out);  // reverse
  // No plate crop in this post: the scene picture is kept.
  EXPECT_NE(c.reads[0].image.find("scene-picture"), std::string::npos);
}

TEST(HikvisionAnprConverter, ForwardMapsToOutWhenConfigured) {
  HikvisionOptions options;
  options.forward = Direction::Out;
  EXPECT_EQ(convert("good_multipart.multipart", options).reads.at(0).event.direction,
            Direction::Out);
  EXPECT_EQ(convert("good_multipart_no_filename.multipart", options).reads.at(0).event.direction,
            Direction::In);
}

TEST(HikvisionAnprConverter, BareXmlWithoutNamespaceOrUuid) {
  const Conversion c = convert("good_bare_no_namespace.xml");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plate, "KR 7781");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.87);
  EXPECT_EQ(utc(e.capturedAt), "2024-06-10T08:13:20.000Z");
  EXPECT_EQ(e.direction, Direction::Unknown);
  EXPECT_EQ(e.attributes.at("country"), "Poland");
  EXPECT_TRUE(c.reads[0].image.empty());
  // No UUID: a stable id over (mac, channel, dateTime, plate), the same for a re-send.
  EXPECT_EQ(e.sourceEventId.rfind("sha1:", 0), 0u);
  EXPECT_EQ(e.sourceEventId, convert("good_bare_no_namespace.xml").reads.at(0).event.sourceEventId);
}

TEST(HikvisionAnprConverter, PrefixedNamespaceReadsTheSame) {
  const Conversion c = convert("good_prefixed_namespace.xml");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(c.reads[0].event.plate, "ZZ999");
  EXPECT_DOUBLE_EQ(*c.reads[0].event.confidence, 1.0);
  EXPECT_EQ(c.reads[0].event.attributes.at("CRIndex"), "118");
  EXPECT_EQ(c.reads[0].event.attributes.at("originalLicensePlate"), "ZZ999");
}

TEST(HikvisionAnprConverter, VideolossInactiveIsAHeartbeat) {
  const Conversion c = convert("heartbeat_videoloss.xml");
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.heartbeat);
  EXPECT_TRUE(c.reads.empty());
}

TEST(HikvisionAnprConverter, OtherEventsAndUnreadablePlatesAreIgnored) {
  for (const char* name : {"ignored_other_event.xml", "ignored_unknown_plate.xml"}) {
    const Conversion c = convert(name);
    EXPECT_FALSE(c.error) << name;
    EXPECT_FALSE(c.heartbeat) << name;
    EXPECT_TRUE(c.reads.empty()) << name;
    EXPECT_FALSE(c.ignored.empty()) << name;
  }
}

TEST(HikvisionAnprConverter, BadImagePartKeepsTheRead) {
  const Conversion c = convert("bad_image_part.multipart");
  ASSERT_FALSE(c.error);
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_TRUE(c.reads[0].image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "licensePlatePicture.jpg");
}

TEST(HikvisionAnprConverter, BadPayloadsNameKindAndField) {
  lpr::testing::expectRefusals([](const std::string& file) { return convert(file); },
                               {
                                   {"bad_malformed.xml", "malformed_xml", ""},
                                   {"bad_doctype.xml", "malformed_xml", ""},
                                   {"bad_confidence.xml", "bad_value", "ANPR/confidenceLevel"},
                                   {"bad_datetime.xml", "bad_value", "dateTime"},
                                   {"bad_missing_plate.xml", "missing_field", "ANPR/licensePlate"},
                                   {"bad_no_xml_part.multipart", "missing_field", "anpr.xml"},
                                   {"bad_truncated.multipart", "malformed_multipart", ""},
                               });
}

TEST(HikvisionAnprConverter, JsonAndRubbishAreRefused) {
  WebhookRequest request;
  request.contentType = "application/json";
  request.body = R"({"ANPR":{}})";
  auto c = convertHikvisionAnpr(request, {});
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->kind, "unsupported_type");

  request.contentType = "application/xml";
  for (const char* body : {"", "   ", "plain text", "<a><b></a>", "<Other/>"}) {
    request.body = body;
    c = convertHikvisionAnpr(request, {});
    ASSERT_TRUE(c.error) << body;
  }
  request.body = "<EventNotificationAlert><eventState>active</eventState></EventNotificationAlert>";
  c = convertHikvisionAnpr(request, {});
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->field, "eventType");

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  request.body = deep;
  c = convertHikvisionAnpr(request, {});
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->kind, "malformed_xml");
}

TEST(HikvisionAnprConverter, LocalDateTimeUsesTheConfiguredZone) {
  WebhookRequest request = requestFor("good_bare_no_namespace.xml");
  const std::string from = "2024-06-10T08:13:20Z";
  request.body.replace(request.body.find(from), from.size(), "2024-06-10T08:13:20");
  HikvisionOptions options;
  options.zone = *LocalZone::parse("+03:00");
  const Conversion c = convertHikvisionAnpr(request, options);
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(utc(c.reads[0].event.capturedAt), "2024-06-10T05:13:20.000Z");
}

TEST(HikvisionAnprConverter, MissingDateTimeFallsBackToReceipt) {
  WebhookRequest request = requestFor("good_bare_no_namespace.xml");
  const auto start = request.body.find("<dateTime>");
  const auto end = request.body.find("</dateTime>") + 11;
  request.body.erase(start, end - start);
  const Conversion c = convertHikvisionAnpr(request, {});
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(c.reads[0].event.capturedAt, kReceived);
}

}  // namespace
}  // namespace lpr::plugins::source_hikvision_anpr
