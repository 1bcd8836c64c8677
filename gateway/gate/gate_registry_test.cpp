#include "gate/gate_registry.h"

#include <gtest/gtest.h>

namespace lpr {
namespace {

TEST(GateRegistry, NoBarrierForAnAccessPointNobodyDrives) {
  GateRegistry gates;
  gates.registerBarrier("entry", {0}, [](const OpenRequest&) {
    return OpenResult{OpenResult::Kind::Opened, "coil 5 pulsed"};
  });
  OpenResult result = gates.open({1, "mqtt:test", "manual"});
  EXPECT_EQ(result.kind, OpenResult::Kind::NoBarrier);
  EXPECT_NE(result.detail.find("access point 1"), std::string::npos);
}

TEST(GateRegistry, OpenedWhenOneOfTheBarriersOpened) {
  GateRegistry gates;
  std::vector<std::string> asked;
  gates.registerBarrier("relay", {0, 1}, [&](const OpenRequest& r) {
    asked.push_back("relay:" + r.requestedBy);
    return OpenResult{OpenResult::Kind::Failed, "not connected"};
  });
  gates.registerBarrier("twon", {1}, [&](const OpenRequest& r) {
    asked.push_back("twon:" + r.requestedBy);
    return OpenResult{OpenResult::Kind::Opened, "switch 1 triggered"};
  });
  OpenResult result = gates.open({1, "mqtt:cmd", "visitor"});
  EXPECT_EQ(result.kind, OpenResult::Kind::Opened);
  EXPECT_EQ(asked, (std::vector<std::string>{"relay:mqtt:cmd", "twon:mqtt:cmd"}));
  EXPECT_EQ(result.detail, "relay: not connected; twon: switch 1 triggered");
  EXPECT_EQ(gates.accessPoints(), (std::vector<int>{0, 1}));
}

TEST(GateRegistry, FailedWhenEveryBarrierFailed) {
  GateRegistry gates;
  gates.registerBarrier("relay", {0}, [](const OpenRequest&) {
    return OpenResult{OpenResult::Kind::Failed, "Modbus exception: Illegal data address"};
  });
  OpenResult result = gates.open({0, "mqtt:cmd", ""});
  EXPECT_EQ(result.kind, OpenResult::Kind::Failed);
  EXPECT_EQ(result.detail, "relay: Modbus exception: Illegal data address");
}

}  // namespace
}  // namespace lpr
