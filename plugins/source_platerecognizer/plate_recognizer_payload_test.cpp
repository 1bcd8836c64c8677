#include "plate_recognizer_payload.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "converter_checks.h"
#include "test_env.h"
#include "webhook/seed_request.h"

namespace lpr::plugins::source_platerecognizer {
namespace {

WebhookRequest requestFrom(const std::string& name) {
  return requestFromSeed(lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name),
                         "/lpr/platerecognizer", *parseUtc("2030-01-01T00:00:00.000Z"));
}

Conversion convertFile(const std::string& name) {
  return convertPlateRecognizer(requestFrom(name));
}

TEST(PlateRecognizerPayload, StreamRecognitionMapsEveryField) {
  const Conversion c = convertFile("stream_recognition.json");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.plateRaw, "ab123cd");
  EXPECT_EQ(e.plate, "ab123cd");
  ASSERT_TRUE(e.confidence);
  EXPECT_DOUBLE_EQ(*e.confidence, 0.903);
  EXPECT_EQ(e.country, "IT");
  EXPECT_EQ(e.direction, Direction::Unknown);
  EXPECT_EQ(e.vehicleId, "");
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.attributes.at("camera_id"), "gate-north");
  EXPECT_EQ(e.attributes.at("region"), "it");
  EXPECT_EQ(e.attributes.at("vehicle_type"), "Sedan");
  EXPECT_EQ(e.attributes.count("direction_deg"), 0u);  // "" means unknown
  EXPECT_EQ(e.sourceEventId.rfind("sha1:", 0), 0u);
  EXPECT_TRUE(c.reads[0].image.empty());
  EXPECT_TRUE(c.warnings.empty());
  // The same post again gives the same id: the store sees a duplicate.
  EXPECT_EQ(convertFile("stream_recognition.json").reads[0].event.sourceEventId, e.sourceEventId);
}

TEST(PlateRecognizerPayload, SnapshotWithTwoPlatesGivesTwoReads) {
  const Conversion c = convertFile("snapshot_two_plates.json");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 2u);
  const PlateEvent& first = c.reads[0].event;
  const PlateEvent& second = c.reads[1].event;
  EXPECT_EQ(first.plateRaw, "7abc123");
  EXPECT_EQ(second.plateRaw, "8xyz999");
  EXPECT_NE(first.sourceEventId, second.sourceEventId);
  EXPECT_DOUBLE_EQ(*first.confidence, 0.95);
  EXPECT_DOUBLE_EQ(*second.confidence, 0.61);
  EXPECT_EQ(first.country, "US");
  EXPECT_EQ(first.attributes.at("region"), "us-ca");
  EXPECT_EQ(second.attributes.at("region"), "us-nv");
  // Snapshot's zoneless "YYYY-MM-DD hh:mm:ss.ffffff" is UTC.
  EXPECT_EQ(formatUtc(first.capturedAt), "2024-06-10T06:13:20.500Z");
  EXPECT_EQ(first.attributes.at("make"), "Toyota");
  EXPECT_EQ(first.attributes.at("model"), "RAV4");
  EXPECT_EQ(first.attributes.at("color"), "silver");
  EXPECT_EQ(first.attributes.at("orientation"), "Rear");
  EXPECT_EQ(first.attributes.at("direction_deg"), "182");
  EXPECT_EQ(first.direction, Direction::Unknown);
  EXPECT_EQ(second.attributes.at("vehicle_type"), "Pickup Truck");
}

TEST(PlateRecognizerPayload, MultipartCarriesTheUploadImage) {
  const Conversion c = convertFile("stream_multipart_image.txt");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(c.reads[0].event.plateRaw, "ab123cd");
  EXPECT_EQ(c.reads[0].imageExtension, "jpg");
  ASSERT_GE(c.reads[0].image.size(), 3u);
  EXPECT_EQ(static_cast<unsigned char>(c.reads[0].image[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(c.reads[0].image[1]), 0xD8);
  // The image does not change the read's id: the JSON-only post of the same read matches it.
  EXPECT_EQ(c.reads[0].event.sourceEventId,
            convertFile("stream_recognition.json").reads[0].event.sourceEventId);
}

TEST(PlateRecognizerPayload, UploadThatIsNoImageCostsTheImageNotTheRead) {
  const Conversion c = convertFile("warn_multipart_upload_not_image.txt");
  ASSERT_FALSE(c.error);
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_TRUE(c.reads[0].image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "upload");
}

TEST(PlateRecognizerPayload, EmptyResultsAreIgnoredNotErrors) {
  const Conversion c = convertFile("snapshot_no_results.json");
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_FALSE(c.ignored.empty());
}

TEST(PlateRecognizerPayload, HeartbeatAndOtherHookEvents) {
  WebhookRequest request;
  request.body = R"({"hook":{"event":"heartbeat"},"data":{}})";
  EXPECT_TRUE(convertPlateRecognizer(request).heartbeat);
  request.body = R"({"hook":{"event":"dwell"},"data":{"results":[]}})";
  const Conversion c = convertPlateRecognizer(request);
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_NE(c.ignored.find("dwell"), std::string::npos);
}

TEST(PlateRecognizerPayload, NoTimestampFallsBackToReceipt) {
  WebhookRequest request;
  request.receivedAt = *parseUtc("2030-01-01T00:00:00.000Z");
  request.body = R"({"data":{"results":[{"plate":"ab1","score":"0.5"}]}})";
  const Conversion c = convertPlateRecognizer(request);
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(formatUtc(c.reads[0].event.capturedAt), "2030-01-01T00:00:00.000Z");
  EXPECT_DOUBLE_EQ(*c.reads[0].event.confidence, 0.5);  // numbers sent as strings
}

TEST(PlateRecognizerPayload, BadTestdataNamesKindAndField) {
  lpr::testing::expectRefusals(
      [](const std::string& file) { return convertFile(file); },
      {
          {"bad_malformed.json", "malformed_json", ""},
          {"bad_missing_plate.json", "missing_field", "data.results[0].plate"},
          {"bad_score_range.json", "bad_value", "data.results[0].score"},
          {"bad_timestamp.json", "bad_value", "data.timestamp"},
          {"bad_no_data.json", "missing_field", "data"},
          {"bad_multipart_no_json.txt", "missing_field", "json"},
          {"bad_multipart_truncated.txt", "malformed_multipart", ""},
      });
}

}  // namespace
}  // namespace lpr::plugins::source_platerecognizer
