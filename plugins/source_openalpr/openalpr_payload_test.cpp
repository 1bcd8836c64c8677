#include "openalpr_payload.h"

#include <gtest/gtest.h>

#include <string>

#include "converter_checks.h"
#include "test_env.h"

namespace lpr::plugins::source_openalpr {
namespace {

WebhookRequest requestFrom(const std::string& name) {
  WebhookRequest request;
  request.path = "/lpr/openalpr";
  request.contentType = "application/json";
  request.body = lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
  request.receivedAt = *parseUtc("2030-01-01T00:00:00.000Z");
  return request;
}

Conversion convertFile(const std::string& name, OpenAlprOptions options = {}) {
  return convertOpenAlpr(requestFrom(name), options);
}

TEST(OpenAlprPayload, AlprdFrameMapsEveryField) {
  const Conversion c = convertFile("alprd_results.json");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.sourceEventId, "site1-cam1-1718000000123#0");
  EXPECT_EQ(e.vehicleId, "");
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  ASSERT_TRUE(e.confidence);
  EXPECT_DOUBLE_EQ(*e.confidence, 0.914);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.direction, Direction::Unknown);
  EXPECT_EQ(e.attributes.at("region"), "it");
  EXPECT_EQ(e.attributes.at("region_confidence"), "80");
  EXPECT_EQ(e.attributes.at("camera_id"), "1");
  EXPECT_EQ(e.attributes.at("site_id"), "site1");
  EXPECT_TRUE(c.reads[0].image.empty());
}

TEST(OpenAlprPayload, EveryPlateOfAFrameIsARead) {
  const Conversion c = convertFile("alprd_two_plates.json");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 2u);
  EXPECT_EQ(c.reads[0].event.sourceEventId, "site1-cam2-1718000100456#0");
  EXPECT_EQ(c.reads[1].event.sourceEventId, "site1-cam2-1718000100456#1");
  EXPECT_EQ(c.reads[1].event.plateRaw, "5XYZ789");
  EXPECT_DOUBLE_EQ(*c.reads[1].event.confidence, 0.765);
  EXPECT_EQ(c.reads[1].event.attributes.at("region"), "nv");
}

TEST(OpenAlprPayload, FramesCanBeIgnored) {
  OpenAlprOptions options;
  options.acceptFrames = false;
  const Conversion c = convertFile("alprd_results.json", options);
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_FALSE(c.ignored.empty());
}

TEST(OpenAlprPayload, FinalGroupIsOneReadWithTheCrop) {
  const Conversion c = convertFile("agent_group_final.json");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.sourceEventId, "group:agent-7f3a-cam1412-1718000201750");
  EXPECT_EQ(e.vehicleId, "agent-7f3a-cam1412-1718000200000");
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.942);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:16:40.000Z");
  EXPECT_EQ(e.attributes.at("region"), "it");
  EXPECT_EQ(e.attributes.at("camera_id"), "1412");
  EXPECT_EQ(e.attributes.at("direction_deg"), "182.5");
  EXPECT_EQ(e.attributes.at("vehicle_color"), "silver-gray");
  EXPECT_EQ(e.attributes.at("vehicle_make"), "fiat");
  EXPECT_EQ(e.attributes.at("vehicle_body_type"), "hatchback");
  EXPECT_EQ(e.attributes.count("is_preview"), 0u);
  EXPECT_EQ(c.reads[0].imageExtension, "jpg");
  ASSERT_GE(c.reads[0].image.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(c.reads[0].image[0]), 0xFF);
}

TEST(OpenAlprPayload, PreviewIsIgnoredByDefault) {
  const Conversion c = convertFile("agent_group_preview.json");
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_EQ(c.ignored, "preview group");
}

TEST(OpenAlprPayload, PreviewAsReadIsTheSameVehicleAsTheFinalGroup) {
  OpenAlprOptions options;
  options.previewsAsReads = true;
  const Conversion preview = convertFile("agent_group_preview.json", options);
  const Conversion final = convertFile("agent_group_final.json", options);
  ASSERT_EQ(preview.reads.size(), 1u);
  ASSERT_EQ(final.reads.size(), 1u);
  EXPECT_EQ(preview.reads[0].event.vehicleId, final.reads[0].event.vehicleId);
  EXPECT_NE(preview.reads[0].event.sourceEventId, final.reads[0].event.sourceEventId);
  EXPECT_EQ(preview.reads[0].event.plateRaw, "AB123C0");
  EXPECT_EQ(preview.reads[0].event.attributes.at("is_preview"), "true");
}

TEST(OpenAlprPayload, BadCropCostsTheImageNotTheRead) {
  const Conversion c = convertFile("warn_group_bad_crop.json");
  ASSERT_FALSE(c.error);
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_TRUE(c.reads[0].image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "vehicle_crop_jpeg");
}

TEST(OpenAlprPayload, HeartbeatAndTestPost) {
  EXPECT_TRUE(convertFile("agent_heartbeat.json").heartbeat);
  WebhookRequest request;
  request.body = R"({"data_type":"alpr_heartbeat"})";
  EXPECT_TRUE(convertOpenAlpr(request, {}).heartbeat);
  const Conversion test = convertFile("agent_test_post.json");
  EXPECT_FALSE(test.error);
  EXPECT_TRUE(test.reads.empty());
  EXPECT_FALSE(test.ignored.empty());
  request.body = R"({"data_type":"alpr_alert","group":{}})";
  EXPECT_EQ(convertOpenAlpr(request, {}).ignored, "alpr_alert");
}

TEST(OpenAlprPayload, NoEpochFallsBackToReceipt) {
  WebhookRequest request;
  request.receivedAt = *parseUtc("2030-01-01T00:00:00.000Z");
  request.body = R"({"data_type":"alpr_results","uuid":"u1","results":[{"plate":"X1"}]})";
  const Conversion c = convertOpenAlpr(request, {});
  ASSERT_EQ(c.reads.size(), 1u);
  EXPECT_EQ(formatUtc(c.reads[0].event.capturedAt), "2030-01-01T00:00:00.000Z");
  EXPECT_FALSE(c.reads[0].event.confidence);
}

TEST(OpenAlprPayload, BadTestdataNamesKindAndField) {
  lpr::testing::expectRefusals(
      [](const std::string& file) { return convertFile(file); },
      {
          {"bad_malformed.json", "malformed_json", ""},
          {"bad_confidence_range.json", "bad_value", "results[0].confidence"},
          {"bad_missing_plate.json", "missing_field", "results[0].plate"},
          {"bad_epoch.json", "bad_value", "epoch_time"},
          {"bad_unknown_type.json", "unsupported_type", "data_type"},
          {"bad_no_data_type.json", "missing_field", "data_type"},
          {"bad_group_no_best_uuid.json", "missing_field", "best_uuid"},
      });
}

}  // namespace
}  // namespace lpr::plugins::source_openalpr
