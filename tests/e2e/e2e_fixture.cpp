#include "e2e_fixture.h"

#include <Poco/JSON/Parser.h>

#include <sstream>

namespace lpr::testing {

void GatewayE2E::SetUp() {
  broker_ = std::make_unique<MosquittoBroker>();
  broker_->start();
  MqttCollectorOptions c;
  c.uri = broker_->uri();
  c.topicFilter = "lpr/#";
  c.clientId = "e2e-collector";
  collector_ = std::make_unique<MqttCollector>(c);
  collector_->start();
  gateway_.configure(baseConfig());
}

void GatewayE2E::TearDown() {
  if (gateway_.running()) {
    EXPECT_NE(gateway_.stop(), GatewayProcess::kStopHung) << "the gateway hung on SIGTERM";
  }
  if (HasFailure()) std::cerr << "---- gateway log ----\n" << gateway_.log() << "\n";
  collector_->stop();
  broker_->stop();
}

std::string GatewayE2E::baseConfig() const {
  return "plugin.cam.type = source_2n_lpr\n"
         "plugin.cam.auth = any\n"
         "plugin.cam.username = camera\n"
         "plugin.cam.password = pa55word\n"
         "plugin.bms.type = sink_mqtt\n"
         "plugin.bms.broker = " +
         broker_->uri() +
         "\n"
         "plugin.bms.topic_prefix = lpr\n";
}

HttpAnswer GatewayE2E::postRead(const std::string& uuid, const std::string& plate, int accessPoint,
                                int lprId) {
  return httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate",
                     twoNRead(uuid, plate, accessPoint, lprId), "application/json",
                     ClientAuth::Basic, "camera", "pa55word");
}

std::map<std::string, Poco::JSON::Object::Ptr> GatewayE2E::eventsByUuid(std::size_t* total) {
  std::map<std::string, Poco::JSON::Object::Ptr> out;
  std::size_t n = 0;
  for (const auto& m : collector_->messages(eventTopic_)) {
    ++n;
    Poco::JSON::Parser parser;
    auto obj = parser.parse(m.payload).extract<Poco::JSON::Object::Ptr>();
    out[obj->getValue<std::string>("source_event_id")] = obj;
  }
  if (total) *total = n;
  return out;
}

std::string GatewayE2E::metrics() {
  return httpRequest(gateway_.port(), "GET", "/metrics", {}, {}).body;
}

double GatewayE2E::metricValue(const std::string& series) {
  std::istringstream in(metrics());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

}  // namespace lpr::testing
