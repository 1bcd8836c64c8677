#include "frigate_message.h"

#include <gtest/gtest.h>

#include <string>

#include "converter_checks.h"
#include "test_env.h"
#include "webhook/seed_request.h"

namespace lpr::plugins::source_frigate {
namespace {

const TimePoint kReceived = *parseUtc("2030-01-01T00:00:00.000Z");

// A testdata/*.msg file: the topic on the first line, the payload after it.
Conversion convertFile(const std::string& name, const FrigateOptions& options = {}) {
  const std::string text = lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
  const SeedLines seed = splitSeed(text);
  return convertFrigateMessage(std::string(seed.first), std::string(seed.rest), options, kReceived);
}

TEST(FrigateMessage, LprUpdateMapsEveryField) {
  const Conversion c = convertFile("lpr_update.msg");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.vehicleId, "1718000000.123456-ab12cd");
  EXPECT_EQ(e.sourceEventId, "1718000000.123456-ab12cd|AB123CD|0.9300");
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.93);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:21.520Z");
  EXPECT_EQ(e.direction, Direction::Unknown);
  EXPECT_EQ(e.attributes.at("camera"), "driveway");
  EXPECT_EQ(e.attributes.count("known_name"), 0u);  // name is null
  EXPECT_TRUE(c.reads[0].image.empty());
}

TEST(FrigateMessage, BetterPassOfTheSameObjectIsANewReadOfTheSameVehicle) {
  const Conversion first = convertFile("lpr_update.msg");
  const Conversion better = convertFile("lpr_update_known.msg");
  ASSERT_EQ(better.reads.size(), 1u);
  EXPECT_EQ(better.reads[0].event.vehicleId, first.reads[0].event.vehicleId);
  EXPECT_NE(better.reads[0].event.sourceEventId, first.reads[0].event.sourceEventId);
  EXPECT_EQ(better.reads[0].event.attributes.at("known_name"), "delivery van");
}

TEST(FrigateMessage, EventUpdateWithAPlateIsARead) {
  const Conversion c = convertFile("event_update_plate.msg");
  ASSERT_FALSE(c.error) << c.error->message;
  ASSERT_EQ(c.reads.size(), 1u);
  const PlateEvent& e = c.reads[0].event;
  EXPECT_EQ(e.vehicleId, "1718000500.654321-xy98zt");
  EXPECT_EQ(e.sourceEventId, "1718000500.654321-xy98zt|XY98ZT|0.8800");
  EXPECT_EQ(e.plateRaw, "XY98ZT");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.88);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:21:41.400Z");  // frame_time
  EXPECT_EQ(e.attributes.at("camera"), "gate");
  EXPECT_EQ(e.attributes.at("label"), "car");
  EXPECT_EQ(e.attributes.at("frigate_event"), "update");
}

TEST(FrigateMessage, EndRepeatingThePlateHasTheSameIdAsTheUpdate) {
  const Conversion end = convertFile("event_end.msg");
  ASSERT_EQ(end.reads.size(), 1u);
  EXPECT_EQ(end.reads[0].event.sourceEventId,
            convertFile("event_update_plate.msg").reads[0].event.sourceEventId);
  EXPECT_EQ(end.reads[0].event.attributes.at("frigate_event"), "end");
}

TEST(FrigateMessage, NothingNewIsIgnored) {
  for (const char* file :
       {"event_new_no_plate.msg", "event_update_unchanged.msg", "update_description.msg"}) {
    const Conversion c = convertFile(file);
    EXPECT_FALSE(c.error) << file;
    EXPECT_TRUE(c.reads.empty()) << file;
    EXPECT_FALSE(c.ignored.empty()) << file;
  }
  const Conversion other = convertFrigateMessage("frigate/driveway/car", "{}", {}, kReceived);
  EXPECT_FALSE(other.error);
  EXPECT_FALSE(other.ignored.empty());
}

TEST(FrigateMessage, TopicPrefixIsConfigurable) {
  const std::string payload = R"({"type":"lpr","id":"o1","plate":"AB1","score":0.5,"camera":"c"})";
  FrigateOptions options;
  options.topicPrefix = "site1/frigate";
  EXPECT_EQ(
      convertFrigateMessage("site1/frigate/tracked_object_update", payload, options, kReceived)
          .reads.size(),
      1u);
  EXPECT_TRUE(convertFrigateMessage("frigate/tracked_object_update", payload, options, kReceived)
                  .reads.empty());
  // No timestamp: the time of receipt.
  EXPECT_EQ(formatUtc(convertFrigateMessage("site1/frigate/tracked_object_update", payload, options,
                                            kReceived)
                          .reads[0]
                          .event.capturedAt),
            "2030-01-01T00:00:00.000Z");
}

TEST(FrigateMessage, BadTestdataNamesKindAndField) {
  lpr::testing::expectRefusals([](const std::string& file) { return convertFile(file); },
                               {
                                   {"bad_malformed.msg", "malformed_json", ""},
                                   {"bad_missing_id.msg", "missing_field", "id"},
                                   {"bad_score_range.msg", "bad_value", "score"},
                                   {"bad_timestamp.msg", "bad_value", "timestamp"},
                                   {"bad_event_type.msg", "bad_value", "type"},
                               });
}

}  // namespace
}  // namespace lpr::plugins::source_frigate
