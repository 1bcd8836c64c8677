#pragma once

// Shared by the sink_2n tests that talk to the 2N device simulator.
#include <chrono>
#include <string>

#include "bus/plate_event.h"
#include "two_n_client.h"
#include "two_n_simulator.h"

namespace lpr::plugins::sink_2n {

// A read from camera instance gate1_2n, entering; ids carry `tag` so logs tell tests apart.
inline PlateEvent simulatorTestEvent(const std::string& tag, int n, const std::string& plate,
                                     int vehicleBase) {
  PlateEvent event;
  event.seq = n;
  event.id = tag + "-evt-" + std::to_string(n);
  event.sourceId = "gate1_2n";
  event.vehicleId = std::to_string(vehicleBase + n);
  event.plateRaw = plate;
  event.plate = plate;
  event.direction = Direction::In;
  event.accessPoint = 0;
  return event;
}

// Client settings that reach `simulator` over HTTPS, pinned to its certificate.
inline TwoNClientOptions clientOptionsFor(const lpr::testing::TwoNSimulator& simulator) {
  TwoNClientOptions options;
  options.host = "127.0.0.1";
  options.port = simulator.boundPort();
  options.username = simulator.options().username;
  options.password = simulator.options().password;
  options.fingerprintSha256 = simulator.certificateSha256();
  options.timeout = std::chrono::milliseconds(3000);
  return options;
}

}  // namespace lpr::plugins::sink_2n
