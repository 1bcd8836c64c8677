#pragma once

#include <string>

#include "e2e_fixture.h"
#include "two_n_simulator.h"

namespace lpr::testing {

// GatewayE2E plus the 2N device simulator, with one user (Jana Novak, plate AB123CD), and the
// configuration of a sink_2n instance `door` that forwards to it.
class TwoNDeviceE2E : public GatewayE2E {
 protected:
  void SetUp() override {
    GatewayE2E::SetUp();
    device_.start();
    TwoNUser jana;
    jana.name = "Jana Novak";
    jana.plates = {"AB123CD"};
    janaUuid_ = device_.addUser(jana);
  }
  // The base configuration plus `door`; `extra` lines are appended. Reads wait up to 10 s for
  // the device's verdict (1.5 s by default), so that a loaded test machine cannot turn a slow
  // verdict into a decision without it; a device that is away is not waited for at all.
  std::string deviceConfig(const std::string& extra = {}) {
    return baseConfig() + "pipeline.decision_timeout_ms = 10000\n" +
           "plugin.door.type = sink_2n\n" +
           "plugin.door.host = 127.0.0.1:" + std::to_string(device_.boundPort()) + "\n" +
           "plugin.door.username = " + device_.options().username + "\n" +
           "plugin.door.password = " + device_.options().password + "\n" +
           "plugin.door.tls.fingerprint_sha256 = " + device_.certificateSha256() + "\n" + extra;
  }
  // The decision of the event published for this lprUuid; null when none arrived or undecided.
  Poco::JSON::Object::Ptr decisionOf(const std::string& uuid) {
    auto events = eventsByUuid();
    auto it = events.find(uuid);
    return it == events.end() ? nullptr : it->second->getObject("decision");
  }

  TwoNSimulator device_;
  std::string janaUuid_;
};

}  // namespace lpr::testing
