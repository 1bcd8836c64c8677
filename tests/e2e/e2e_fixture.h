#pragma once

#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gateway_process.h"
#include "http_test_client.h"
#include "mosquitto_broker.h"
#include "mqtt_collector.h"

namespace lpr::testing {

// A real mosquitto, a durable MQTT subscriber on the event topic, and the gateway binary
// configured with a 2N-compatible source and the MQTT sink.
class GatewayE2E : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string baseConfig() const;
  // A 2N-format read; lprId is the camera's vehicle id.
  HttpAnswer postRead(const std::string& uuid, const std::string& plate, int accessPoint = 0,
                      int lprId = 1);
  // Parsed event payloads received so far, keyed by source_event_id (lprUuid).
  std::map<std::string, Poco::JSON::Object::Ptr> eventsByUuid(std::size_t* total = nullptr);
  std::string metrics();
  double metricValue(const std::string& line);

  const std::string eventTopic_ = "lpr/test-gw/event/LicensePlateRecognized";
  std::unique_ptr<MosquittoBroker> broker_;
  std::unique_ptr<MqttCollector> collector_;
  GatewayProcess gateway_;
};

}  // namespace lpr::testing
