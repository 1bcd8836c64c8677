#include "alpv_event.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "converter_checks.h"
#include "webhook/seed_request.h"

namespace lpr::plugins::source_axis_alpv {
namespace {

const std::string kJpeg(
    "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9", 22);

std::string readFile(const std::string& name) {
  std::ifstream in(std::string(PLUGIN_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Conversion convertFile(const std::string& name, AlpvOptions options = {}) {
  return convertAlpvPost(requestFromSeed(readFile(name)), options);
}

// A copy: callers pass temporaries.
ConvertedRead onlyRead(const Conversion& c) {
  EXPECT_FALSE(c.error) << c.error->field << ": " << c.error->message;
  EXPECT_EQ(c.reads.size(), 1u);
  return c.reads.empty() ? ConvertedRead{} : c.reads.front();
}

TimePoint ms(long long value) { return TimePoint(std::chrono::milliseconds(value)); }

TEST(AlpvEvent, DocumentedExampleMapsEveryField) {
  const Conversion c = convertFile("good_example_1_8.json");
  const PlateEvent& e = onlyRead(c).event;
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_EQ(e.country, "ITA");
  ASSERT_TRUE(e.confidence);
  EXPECT_DOUBLE_EQ(*e.confidence, 0.912);
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(e.capturedAt, ms(1718000000123));
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(e.vehicleId, "ACCC8E000001/4711");
  EXPECT_EQ(e.sourceEventId.rfind("sha1:", 0), 0u);
  EXPECT_EQ(e.attributes.at("car_state"), "update");
  EXPECT_EQ(e.attributes.at("car_id"), "4711");
  EXPECT_EQ(e.attributes.at("camera"), "ACCC8E000001");
  EXPECT_EQ(e.attributes.at("camera_model"), "AXIS P1465-LE");
  EXPECT_EQ(e.attributes.at("sensor_provider"), "gate-north");
  EXPECT_EQ(e.attributes.at("roi"), "1");
  EXPECT_EQ(e.attributes.at("vehicle_type"), "CAR");
  EXPECT_EQ(e.attributes.at("vehicle_color"), "WHITE");
  EXPECT_EQ(e.attributes.at("vehicle_view"), "front");
  EXPECT_EQ(e.attributes.count("region"), 0u) << "empty strings are not kept";
  EXPECT_TRUE(onlyRead(c).image.empty()) << "skip_image_in_post: no image";
  EXPECT_TRUE(e.sourceId.empty()) << "the route sets it";
}

// The issue's must-show, converter half: one carID's NEW → UPDATE (text refined) → LOST are three
// reads of one vehicle, each its own event id; the UPDATE carries the refined text.
TEST(AlpvEvent, NewUpdateLostAreThreeReadsOfOneVehicle) {
  const PlateEvent fresh = onlyRead(convertFile("good_new.json")).event;
  const PlateEvent update = onlyRead(convertFile("good_update.json")).event;
  const PlateEvent lost = onlyRead(convertFile("good_lost.json")).event;
  EXPECT_EQ(fresh.vehicleId, "ACCC8E000001/4711");
  EXPECT_EQ(update.vehicleId, fresh.vehicleId);
  EXPECT_EQ(lost.vehicleId, fresh.vehicleId);
  EXPECT_EQ(
      std::set<std::string>({fresh.sourceEventId, update.sourceEventId, lost.sourceEventId}).size(),
      3u);
  EXPECT_EQ(fresh.plate, "AA7690EQ");
  EXPECT_EQ(update.plate, "AA7690EO");
  EXPECT_EQ(lost.plate, "AA7690EO");
  EXPECT_EQ(fresh.attributes.at("car_state"), "new");
  EXPECT_EQ(update.attributes.at("car_state"), "update");
  EXPECT_EQ(lost.attributes.at("car_state"), "lost");
  EXPECT_EQ(fresh.direction, Direction::Unknown);
  EXPECT_EQ(update.direction, Direction::In);
  // LOST repeats NEW's capture_timestamp (§1.3).
  EXPECT_EQ(lost.capturedAt, fresh.capturedAt);
  EXPECT_EQ(update.capturedAt, ms(1718000000923));
}

TEST(AlpvEvent, AReSentPostHasTheSameEventId) {
  const Conversion once = convertFile("good_update.json");
  WebhookRequest again = requestFromSeed(readFile("good_update.json"));
  again.receivedAt += std::chrono::seconds(30);
  const Conversion twice = convertAlpvPost(again, {});
  EXPECT_EQ(onlyRead(once).event.sourceEventId, onlyRead(twice).event.sourceEventId);
}

TEST(AlpvEvent, TwoCamerasWithTheSameCarIdAreTwoVehicles) {
  std::string other = readFile("good_new.json");
  const auto at = other.find("ACCC8E000001");
  other.replace(at, 12, "ACCC8E000002");
  const PlateEvent a = onlyRead(convertFile("good_new.json")).event;
  const PlateEvent b = onlyRead(convertAlpvPost(requestFromSeed(other), {})).event;
  EXPECT_NE(a.vehicleId, b.vehicleId);
  EXPECT_NE(a.sourceEventId, b.sourceEventId);
}

TEST(AlpvEvent, LostCanBeIgnored) {
  const Conversion c = convertFile("good_lost.json", AlpvOptions{false});
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.reads.empty());
  EXPECT_FALSE(c.heartbeat);
  EXPECT_NE(c.ignored.find("lost"), std::string::npos);
  EXPECT_EQ(convertFile("good_update.json", AlpvOptions{false}).reads.size(), 1u);
}

TEST(AlpvEvent, UpdatedSpellingNumbersAndInlineImages) {
  const Conversion c = convertFile("good_updated_numbers_images.json");
  const ConvertedRead read = onlyRead(c);
  const PlateEvent& e = read.event;
  EXPECT_EQ(e.attributes.at("car_state"), "update") << "FF Group's \"updated\" is UPDATE";
  EXPECT_DOUBLE_EQ(e.confidence.value_or(-1), 0.73);
  EXPECT_EQ(e.direction, Direction::Out);
  // Without camera_info the configured sensorProviderID names the camera.
  EXPECT_EQ(e.vehicleId, "gate-north/88");
  EXPECT_EQ(e.attributes.at("camera"), "gate-north");
  // The first ImageArray entry is the main image; the second (plate crop) is not kept.
  EXPECT_EQ(read.image, kJpeg);
  EXPECT_EQ(read.imageExtension, "jpg");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(AlpvEvent, MultipartEventAndImageParts) {
  const Conversion c = convertFile("good_multipart.txt");
  const ConvertedRead read = onlyRead(c);
  EXPECT_EQ(read.event.plate, "AB123CD");
  EXPECT_EQ(read.event.direction, Direction::In);
  EXPECT_EQ(read.event.attributes.at("car_state"), "new");
  EXPECT_EQ(read.image, kJpeg);
  EXPECT_EQ(read.imageExtension, "jpg");
}

TEST(AlpvEvent, HeartbeatIsRecognised) {
  const Conversion c = convertFile("good_heartbeat.json");
  EXPECT_FALSE(c.error);
  EXPECT_TRUE(c.heartbeat);
  EXPECT_TRUE(c.reads.empty());
}

TEST(AlpvEvent, ABadImageCostsTheImageNotTheRead) {
  const Conversion c = convertFile("bad_image_base64.json");
  const ConvertedRead read = onlyRead(c);
  EXPECT_EQ(read.event.plate, "AB123CD");
  EXPECT_TRUE(read.image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "ImageArray[0].BinaryImage");
}

TEST(AlpvEvent, DatetimeWithAZoneWhenThereIsNoCaptureTimestamp) {
  WebhookRequest request;
  request.contentType = "application/json";
  request.receivedAt = ms(1718000999000);
  request.body = R"({"plateText":"AB123CD","carID":"1","datetime":"20240610 081320123+0200"})";
  EXPECT_EQ(onlyRead(convertAlpvPost(request, {})).event.capturedAt, ms(1718000000123));
  // Without a zone the camera's clock zone is unknown: the receive time is used.
  request.body = R"({"plateText":"AB123CD","carID":"1","datetime":"20240610 081320123"})";
  EXPECT_EQ(onlyRead(convertAlpvPost(request, {})).event.capturedAt, request.receivedAt);
}

TEST(AlpvEvent, BadTestdataNamesKindAndField) {
  lpr::testing::expectRefusals([](const std::string& file) { return convertFile(file); },
                               {
                                   {"bad_malformed.json", "malformed_json", ""},
                                   {"bad_not_object.json", "malformed_json", ""},
                                   {"bad_missing_plate.json", "missing_field", "plateText"},
                                   {"bad_confidence.json", "bad_value", "plateConfidence"},
                                   {"bad_direction.json", "bad_value", "carMoveDirection"},
                                   {"bad_car_state.json", "bad_value", "carState"},
                                   {"bad_capture_timestamp.json", "bad_value", "capture_timestamp"},
                                   {"bad_multipart_no_event.txt", "missing_field", "event"},
                                   {"bad_multipart_unterminated.txt", "malformed_multipart", ""},
                               });
}

TEST(AlpvEvent, OtherContentTypesAreRefused) {
  WebhookRequest request = requestFromSeed(readFile("good_new.json"));
  request.contentType = "application/xml";
  const Conversion c = convertAlpvPost(request, {});
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->kind, "unsupported_type");
  request.contentType = "";  // some apps send none
  EXPECT_EQ(convertAlpvPost(request, {}).reads.size(), 1u);
}

// Every file in testdata is covered by a test above: good_* convert, bad_* fail (or warn).
TEST(AlpvEvent, EveryTestdataFileIsKnown) {
  for (const auto& entry : std::filesystem::directory_iterator(PLUGIN_TESTDATA)) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    const Conversion c = convertFile(name);
    if (name.rfind("good_", 0) == 0) {
      EXPECT_FALSE(c.error) << name;
      EXPECT_TRUE(c.heartbeat || c.reads.size() == 1) << name;
      EXPECT_TRUE(c.warnings.empty()) << name;
    } else {
      EXPECT_EQ(name.rfind("bad_", 0), 0u) << name;
      EXPECT_TRUE(c.error || !c.warnings.empty()) << name;
    }
  }
}

}  // namespace
}  // namespace lpr::plugins::source_axis_alpv
