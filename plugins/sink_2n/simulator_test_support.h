#pragma once

// Shared by the sink_2n tests that talk to the 2N device simulator.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bus/plate_event.h"
#include "directory_mirror.h"
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

// The device's live entries, read independently of the mirror's own parsing.
inline std::vector<MirroredUser> deviceUsers(const lpr::testing::TwoNSimulator& device) {
  std::vector<MirroredUser> out;
  for (const auto& entry : device.directoryEntries(false)) {
    MirroredUser user;
    user.uuid = entry->getValue<std::string>("uuid");
    user.name = entry->optValue<std::string>("name", "");
    user.owner = entry->optValue<std::string>("owner", "");
    user.timestamp = entry->getValue<std::uint64_t>("timestamp");
    Poco::JSON::Object::Ptr access = entry->getObject("access");
    std::string plates = access->optValue<std::string>("licensePlates", "");
    std::string plate;
    for (char c : plates + ",") {
      if (c != ',') {
        plate += c;
        continue;
      }
      plate.erase(0, plate.find_first_not_of(' '));
      plate.erase(plate.find_last_not_of(' ') + 1);
      if (!plate.empty()) user.plates.push_back(plate);
      plate.clear();
    }
    user.validFrom = access->get("validFrom").toString();
    user.validTo = access->get("validTo").toString();
    Poco::JSON::Array::Ptr points = access->getArray("accessPoints");
    for (std::size_t i = 0; i < points->size(); ++i) {
      user.accessPoints.push_back({points->getObject(i)->getValue<bool>("enabled"),
                                   points->getObject(i)->getValue<std::string>("profiles")});
    }
    out.push_back(user);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.uuid < b.uuid; });
  return out;
}

inline void expectEqual(const std::vector<MirroredUser>& mirror,
                        const std::vector<MirroredUser>& device) {
  ASSERT_EQ(mirror.size(), device.size());
  for (std::size_t i = 0; i < device.size(); ++i) {
    SCOPED_TRACE("user " + device[i].uuid + " (" + device[i].name + ")");
    EXPECT_EQ(mirror[i].uuid, device[i].uuid);
    EXPECT_EQ(mirror[i].name, device[i].name);
    EXPECT_EQ(mirror[i].owner, device[i].owner);
    EXPECT_EQ(mirror[i].plates, device[i].plates);
    EXPECT_EQ(mirror[i].validFrom, device[i].validFrom);
    EXPECT_EQ(mirror[i].validTo, device[i].validTo);
    ASSERT_EQ(mirror[i].accessPoints.size(), device[i].accessPoints.size());
    for (std::size_t ap = 0; ap < device[i].accessPoints.size(); ++ap) {
      EXPECT_EQ(mirror[i].accessPoints[ap].enabled, device[i].accessPoints[ap].enabled) << ap;
      EXPECT_EQ(mirror[i].accessPoints[ap].profiles, device[i].accessPoints[ap].profiles) << ap;
    }
    EXPECT_EQ(mirror[i].timestamp, device[i].timestamp);
  }
}

}  // namespace lpr::plugins::sink_2n
