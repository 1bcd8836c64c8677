#include "gate_command.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace lpr::plugins::sink_mqtt {
namespace {

MessageOptions options() {
  MessageOptions out;
  out.topicPrefix = "site/lpr";
  out.gatewayId = "gw1";
  return out;
}

TEST(GateCommand, OpenTextNamesTheGateFromTheTopic) {
  OpenCommand command = parseOpenCommand(options(), "site/lpr/gw1/gate/1/open", "OPEN");
  EXPECT_EQ(command.error, "");
  ASSERT_TRUE(command.accessPoint);
  EXPECT_EQ(*command.accessPoint, 1);
  EXPECT_EQ(parseOpenCommand(options(), "site/lpr/gw1/gate/0/open", " OPEN\n").error, "");
}

TEST(GateCommand, JsonCarriesReasonAndRequestId) {
  OpenCommand command = parseOpenCommand(options(), "site/lpr/gw1/gate/0/open",
                                         R"({"reason":"delivery van","request_id":"r-7"})");
  EXPECT_EQ(command.error, "");
  EXPECT_EQ(command.reason, "delivery van");
  EXPECT_EQ(command.requestId, "r-7");
  EXPECT_EQ(parseOpenCommand(options(), "site/lpr/gw1/gate/0/open", "{}").error, "");
}

TEST(GateCommand, AnythingElseIsMalformed) {
  const std::string topic = "site/lpr/gw1/gate/0/open";
  EXPECT_NE(parseOpenCommand(options(), topic, "").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, "open").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, "PRESS").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, "{not json").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, "[1]").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, R"({"reason":5})").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, R"({"gate":1})").error, "");
  EXPECT_NE(parseOpenCommand(options(), topic, std::string(2000, ' ') + "OPEN").error, "");
  OpenCommand badGate = parseOpenCommand(options(), "site/lpr/gw1/gate/x/open", "OPEN");
  EXPECT_NE(badGate.error, "");
  EXPECT_FALSE(badGate.accessPoint);
  EXPECT_NE(parseOpenCommand(options(), "site/lpr/gw2/gate/0/open", "OPEN").error, "");
}

TEST(GateCommand, ResultPayload) {
  OpenCommand command =
      parseOpenCommand(options(), "site/lpr/gw1/gate/0/open", R"({"request_id":"r-1"})");
  auto json =
      Poco::JSON::Parser()
          .parse(openResultPayload(command, "no_barrier", "no barrier drives access point 0",
                                   "mqtt:site/lpr/gw1/gate/0/open",
                                   TimePoint(std::chrono::milliseconds(1795552630123))))
          .extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(json->getValue<int>("access_point"), 0);
  EXPECT_EQ(json->getValue<std::string>("result"), "no_barrier");
  EXPECT_EQ(json->getValue<std::string>("request_id"), "r-1");
  EXPECT_EQ(json->getValue<std::string>("requested_by"), "mqtt:site/lpr/gw1/gate/0/open");
  EXPECT_EQ(json->getValue<std::string>("at"), "2026-11-24T20:37:10.123Z");
}

}  // namespace
}  // namespace lpr::plugins::sink_mqtt
