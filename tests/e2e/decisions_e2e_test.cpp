// Issue 5 through the binary: the 2N device decides while it is up; while it is down the
// gateway's local fallback (proc_authorize over the mirrored directory) gives the same answers;
// once the device is back it decides again.
#include <gtest/gtest.h>

#include "test_env.h"
#include "two_n_device_fixture.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

class DecisionsE2E : public TwoNDeviceE2E {
 protected:
  std::string config() {
    return deviceConfig(
        "plugin.auth.type = proc_authorize\n"
        "plugin.auth.directory = door\n"
        "plugin.auth.reload_interval_s = 1\n"
        "pipeline.processors = auth\n");
  }
  static std::string uuid(int n) {
    std::string digits = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
  }
  // Posts a read and waits for its event on MQTT; the decision, or null when undecided.
  Poco::JSON::Object::Ptr decide(int n, const std::string& plate) {
    EXPECT_EQ(postRead(uuid(n), plate).body, R"({"success":true})");
    EXPECT_TRUE(waitFor([&] { return eventsByUuid().count(uuid(n)) == 1; }, 15s)) << plate;
    return decisionOf(uuid(n));
  }
};

TEST_F(DecisionsE2E, DeviceUpThenDownThenBack) {
  gateway_.configure(config());
  gateway_.start();
  // The sink's mirror is synced and proc_authorize has loaded it (one user).
  ASSERT_TRUE(waitFor(
      [&] {
        return httpRequest(gateway_.port(), "GET", "/healthz", {}, {})
                       .body.find("directory mirror: confirmed") != std::string::npos &&
               metricValue("lpr_authorize_mirror_users{plugin=\"auth\"}") == 1;
      },
      20s));

  // Device up: the 2N verdict.
  auto user = decide(1, "AB123CD");
  ASSERT_TRUE(user) << "undecided";
  EXPECT_EQ(user->optValue<std::string>("decided_by", ""), "2n");
  EXPECT_TRUE(user->getValue<bool>("valid"));
  EXPECT_EQ(user->optValue<std::string>("uuid", ""), janaUuid_);
  auto stranger = decide(2, "ZZ999ZZ");
  ASSERT_TRUE(stranger) << "undecided";
  EXPECT_EQ(stranger->optValue<std::string>("decided_by", ""), "2n");
  EXPECT_FALSE(stranger->getValue<bool>("valid"));

  // Device down: the local fallback, with the same answers.
  device_.stop();
  auto localUser = decide(3, "AB123CD");
  ASSERT_TRUE(localUser) << "undecided";
  EXPECT_EQ(localUser->optValue<std::string>("decided_by", ""), "local_fallback");
  EXPECT_TRUE(localUser->getValue<bool>("valid")) << localUser->optValue<std::string>("reason", "");
  EXPECT_EQ(localUser->optValue<std::string>("uuid", ""), janaUuid_);
  EXPECT_EQ(localUser->optValue<std::string>("user_name", ""), "Jana Novak");
  auto localStranger = decide(4, "ZZ999ZZ");
  ASSERT_TRUE(localStranger) << "undecided";
  EXPECT_EQ(localStranger->optValue<std::string>("decided_by", ""), "local_fallback");
  EXPECT_FALSE(localStranger->getValue<bool>("valid"));
  EXPECT_FALSE(localStranger->has("uuid") && !localStranger->isNull("uuid"));
  EXPECT_EQ(
      metricValue("lpr_authorize_decisions_total{plugin=\"auth\",decided_by=\"local_fallback\"}"),
      2);

  // Device back: new reads until the gateway notices it and a 2N verdict comes (bounded), each
  // with a plate of its own so that the retries cannot be taken for one vehicle.
  device_.start();
  int n = 5;
  std::string last;
  ASSERT_TRUE(waitFor(
      [&] {
        const int k = n++;
        auto d = decide(k, "BK" + std::to_string(k));
        last = d ? d->optValue<std::string>("decided_by", "") : "undecided";
        return last == "2n" && !d->getValue<bool>("valid");
      },
      60s, 200ms))
      << "last decided_by " << last;
  // The user's plate again: the device decides, although the reads of that plate held while it
  // was down reached it just before (their records come late and pair with those reads).
  auto back = decide(1000, "AB123CD");
  ASSERT_TRUE(back) << "undecided";
  EXPECT_EQ(back->optValue<std::string>("decided_by", ""), "2n");
  EXPECT_TRUE(back->getValue<bool>("valid"));
  EXPECT_EQ(back->optValue<std::string>("uuid", ""), janaUuid_);
}

}  // namespace
}  // namespace lpr::testing
