// The gateway binary forwarding 2N-format reads to the 2N device simulator: reads accepted while
// the device is away are kept in the store and reach it afterwards, in order, each once.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "gateway_process.h"
#include "http_test_client.h"
#include "test_env.h"
#include "two_n_simulator.h"

namespace lpr::testing {
namespace {

std::string uuidFor(int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012d", i);
  return buf;
}

class TwoNForwardingE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    device_.start();
    gateway_.configure(
        "plugin.cam.type = source_2n_lpr\n"
        "plugin.cam.auth = basic\n"
        "plugin.cam.username = camera\n"
        "plugin.cam.password = pa55word\n"
        "plugin.door.type = sink_2n\n"
        "plugin.door.host = 127.0.0.1:" +
        std::to_string(device_.boundPort()) +
        "\n"
        "plugin.door.username = " +
        device_.options().username +
        "\n"
        "plugin.door.password = " +
        device_.options().password +
        "\n"
        "plugin.door.tls.fingerprint_sha256 = " +
        device_.certificateSha256() + "\n");
    gateway_.start();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "---- gateway log ----\n" << gateway_.log() << "\n";
  }
  HttpAnswer post(int i) {
    return httpRequest(gateway_.port(), "POST", "/api/lpr/licenseplate",
                       twoNRead(uuidFor(i), "FWD" + std::to_string(100 + i), 0, i),
                       "application/json", ClientAuth::Basic, "camera", "pa55word");
  }
  std::vector<TwoNLprRequest> accepted() {
    std::vector<TwoNLprRequest> out;
    for (auto& r : device_.lprRequests()) {
      if (r.errorCode == 0) out.push_back(r);
    }
    return out;
  }

  TwoNSimulator device_;
  GatewayProcess gateway_;
};

TEST_F(TwoNForwardingE2E, ReadsKeptWhileTheDeviceIsDownArriveInOrderExactlyOnce) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(post(i).body, R"({"success":true})");
  ASSERT_TRUE(waitFor([&] { return accepted().size() == 5; }));
  device_.stop();
  for (int i = 5; i < 25; ++i) ASSERT_EQ(post(i).body, R"({"success":true})");
  device_.start();
  ASSERT_TRUE(waitFor([&] { return accepted().size() >= 25; }, std::chrono::seconds(30)))
      << accepted().size();
  auto got = accepted();
  ASSERT_EQ(got.size(), 25u) << "a read reached the device twice";
  std::set<std::string> seen;
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(got[i].plateText, "FWD" + std::to_string(100 + i)) << "out of order at " << i;
    EXPECT_TRUE(seen.insert(got[i].lprUuid).second);
  }
}

}  // namespace
}  // namespace lpr::testing
