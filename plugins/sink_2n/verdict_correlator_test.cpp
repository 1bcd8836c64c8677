#include "verdict_correlator.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace lpr::plugins::sink_2n {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

TwoNLogEvent record(const std::string& paramsJson,
                    const std::string& type = "LicensePlateRecognized") {
  TwoNLogEvent e;
  e.event = type;
  e.params = Poco::JSON::Parser().parse(paramsJson).extract<Poco::JSON::Object::Ptr>();
  return e;
}

class VerdictCorrelatorTest : public ::testing::Test {
 protected:
  VerdictCorrelator correlator_{10s};
  Steady::time_point t0_ = Steady::now();
};

TEST_F(VerdictCorrelatorTest, AUserPlateGivesValidWithUuidAndSession) {
  correlator_.sent({"ev-1", "AB 123 CD", 0, t0_});
  auto v = correlator_.recognized(
      record(R"({"session":42,"licensePlate":"AB123CD","ap":0,"uuid":"u-1","valid":true})"),
      t0_ + 30ms, Clock::now());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->eventId, "ev-1");
  EXPECT_TRUE(v->decision.valid);
  EXPECT_EQ(v->decision.uuid.value_or(""), "u-1");
  EXPECT_EQ(v->decision.session.value_or(""), "42");
  EXPECT_EQ(v->decision.decidedBy, "2n");
  EXPECT_EQ(v->latency, 30ms);
  EXPECT_EQ(correlator_.waiting(), 0u);
}

TEST_F(VerdictCorrelatorTest, AnUnknownPlateGivesNotValidWithoutUuid) {
  correlator_.sent({"ev-1", "ZZ999", 1, t0_});
  auto v = correlator_.recognized(record(R"({"licensePlate":"ZZ999","ap":1,"valid":false})"),
                                  t0_ + 1s, Clock::now());
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->decision.valid);
  EXPECT_FALSE(v->decision.uuid.has_value());
  EXPECT_NE(v->decision.reason.find("no user"), std::string::npos) << v->decision.reason;
}

TEST_F(VerdictCorrelatorTest, SamePlateTwiceMatchesTheOldestFirst) {
  correlator_.sent({"first", "AB1", 0, t0_});
  correlator_.sent({"second", "AB1", 0, t0_ + 100ms});
  const auto r = record(R"({"licensePlate":"ab1","ap":0,"valid":true,"uuid":"u"})");
  EXPECT_EQ(correlator_.recognized(r, t0_ + 200ms, Clock::now())->eventId, "first");
  EXPECT_EQ(correlator_.recognized(r, t0_ + 300ms, Clock::now())->eventId, "second");
  EXPECT_FALSE(correlator_.recognized(r, t0_ + 400ms, Clock::now()).has_value());
}

TEST_F(VerdictCorrelatorTest, AccessPointAndPlateMustBothMatch) {
  correlator_.sent({"entry", "AB1", 0, t0_});
  EXPECT_FALSE(correlator_
                   .recognized(record(R"({"licensePlate":"AB1","ap":1,"valid":true})"), t0_ + 1s,
                               Clock::now())
                   .has_value());
  EXPECT_FALSE(correlator_
                   .recognized(record(R"({"licensePlate":"AB2","ap":0,"valid":true})"), t0_ + 1s,
                               Clock::now())
                   .has_value());
  EXPECT_EQ(correlator_.waiting(), 1u);
}

TEST_F(VerdictCorrelatorTest, ARecordAfterTheWindowMatchesNothingAndExpiryForgets) {
  correlator_.sent({"old", "AB1", 0, t0_});
  correlator_.sent({"new", "CD2", 0, t0_ + 8s});
  EXPECT_FALSE(correlator_
                   .recognized(record(R"({"licensePlate":"AB1","ap":0,"valid":true})"), t0_ + 11s,
                               Clock::now())
                   .has_value());
  EXPECT_EQ(correlator_.expire(t0_ + 11s), 1u);
  EXPECT_EQ(correlator_.waiting(), 1u);
}

TEST_F(VerdictCorrelatorTest, AReadTheDeviceDidNotTakeIsForgotten) {
  correlator_.sent({"ev-1", "AB1", 0, t0_});
  correlator_.unsent("ev-1");
  EXPECT_FALSE(correlator_
                   .recognized(record(R"({"licensePlate":"AB1","ap":0,"valid":true})"), t0_ + 1s,
                               Clock::now())
                   .has_value());
}

TEST_F(VerdictCorrelatorTest, OtherRecordsAndRecordsWithoutValidAreNotVerdicts) {
  correlator_.sent({"ev-1", "AB1", 0, t0_});
  EXPECT_FALSE(
      correlator_
          .recognized(record(R"({"licensePlate":"AB1","ap":0,"valid":true})", "UserAuthenticated"),
                      t0_ + 1s, Clock::now())
          .has_value());
  EXPECT_FALSE(
      correlator_.recognized(record(R"({"licensePlate":"AB1","ap":0})"), t0_ + 1s, Clock::now())
          .has_value());
  EXPECT_EQ(correlator_.waiting(), 1u);
}

TEST_F(VerdictCorrelatorTest, SessionAsTextAndValidAsNumberAreAccepted) {
  correlator_.sent({"ev-1", "AB1", 0, t0_});
  auto v = correlator_.recognized(
      record(R"({"session":"7","licensePlate":"AB1","ap":0,"valid":1,"uuid":"u"})"), t0_ + 1s,
      Clock::now());
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->decision.valid);
  EXPECT_EQ(v->decision.session.value_or(""), "7");
}

}  // namespace
}  // namespace lpr::plugins::sink_2n
