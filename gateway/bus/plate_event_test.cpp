#include "bus/plate_event.h"

#include <gtest/gtest.h>

namespace lpr {
namespace {

TEST(PlateEventTest, JsonRoundTripKeepsEveryField) {
  PlateEvent e;
  e.id = newUuid();
  e.seq = 7;
  e.sourceId = "gate1_2n";
  e.sourceEventId = "6f1c2a9e-0d4b-4c1e-9a77-1b2c3d4e5f60";
  e.vehicleId = "4711";
  e.updateOf = "0b6c2f4e-first";
  e.plateRaw = "ab 123cd";
  e.plate = "AB123CD";
  e.country = "IT";
  e.confidence = 0.91;
  e.direction = Direction::Out;
  e.accessPoint = 1;
  e.capturedAt = TimePoint(std::chrono::milliseconds(1718000000123));
  e.receivedAt = TimePoint(std::chrono::milliseconds(1718000000456));
  e.imagePath = "/var/lib/lpr-gateway/spool/x.jpg";
  Decision d;
  d.valid = true;
  d.uuid = "u-1";
  d.session = "42";
  d.decidedBy = "2n";
  d.reason = "user";
  d.decidedAt = TimePoint(std::chrono::milliseconds(1718000000999));
  e.decision = d;
  e.attributes["lprDir"] = "3";

  PlateEvent back = plateEventFromJson(toJson(e));
  EXPECT_EQ(back.id, e.id);
  EXPECT_EQ(back.seq, 7);
  EXPECT_EQ(back.sourceEventId, e.sourceEventId);
  EXPECT_EQ(back.vehicleId, "4711");
  EXPECT_EQ(back.updateOf, "0b6c2f4e-first");
  EXPECT_EQ(back.plateRaw, "ab 123cd");
  EXPECT_EQ(back.plate, "AB123CD");
  EXPECT_DOUBLE_EQ(*back.confidence, 0.91);
  EXPECT_EQ(back.direction, Direction::Out);
  EXPECT_EQ(back.accessPoint, 1);
  EXPECT_EQ(back.capturedAt, e.capturedAt);
  EXPECT_EQ(back.receivedAt, e.receivedAt);
  EXPECT_EQ(back.imagePath, e.imagePath);
  ASSERT_TRUE(back.decision);
  EXPECT_TRUE(back.decision->valid);
  EXPECT_EQ(*back.decision->uuid, "u-1");
  EXPECT_FALSE(back.decision->userName);
  EXPECT_EQ(back.decision->decidedAt, d.decidedAt);
  EXPECT_EQ(back.attributes.at("lprDir"), "3");
}

TEST(PlateEventTest, TimesAreUtcWithMilliseconds) {
  TimePoint t(std::chrono::milliseconds(1718000000123));
  EXPECT_EQ(formatUtc(t), "2024-06-10T06:13:20.123Z");
  EXPECT_EQ(parseUtc("2024-06-10T08:13:20.123+02:00"), t);
  EXPECT_FALSE(parseUtc("yesterday"));
}

TEST(PlateEventTest, MissingOptionalFieldsStayEmpty) {
  PlateEvent e;
  e.id = "x";
  PlateEvent back = plateEventFromJson(toJson(e));
  EXPECT_FALSE(back.confidence);
  EXPECT_FALSE(back.decision);
  EXPECT_TRUE(back.imagePath.empty());
  EXPECT_TRUE(back.updateOf.empty());
  EXPECT_NE(toJson(e).find("\"update_of\":null"), std::string::npos);
}

}  // namespace
}  // namespace lpr
