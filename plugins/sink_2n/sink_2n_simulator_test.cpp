// sink_2n against the full 2N device simulator (tests/two_n_simulator): directory lookup,
// LicensePlateRecognized logging, legacy firmware and stale nonces, as a device does them.
#include <gtest/gtest.h>

#include "fake_plugin_context.h"
#include "simulator_test_support.h"
#include "sink_2n.h"
#include "two_n_simulator.h"

namespace lpr::plugins::sink_2n {
namespace {

using namespace std::chrono_literals;
using lpr::testing::FakePluginContext;
using lpr::testing::TwoNSimulator;
using lpr::testing::TwoNSimulatorOptions;
using lpr::testing::TwoNUser;
using lpr::testing::waitFor;

PlateEvent makeEvent(int n, const std::string& plate) {
  return simulatorTestEvent("sim", n, plate, 500);
}

class Sink2nSimulatorTest : public ::testing::Test {
 protected:
  void startAll(TwoNSimulatorOptions options = {}) {
    simulator_ = std::make_unique<TwoNSimulator>(std::move(options));
    simulator_->start();
    TwoNUser user;
    user.name = "Jana Novak";
    user.plates = {"AB123CD"};
    janaUuid_ = simulator_->addUser(user);
    ctx_.set("host", "127.0.0.1:" + std::to_string(simulator_->boundPort()))
        .set("username", simulator_->options().username)
        .set("password", simulator_->options().password)
        .set("tls.fingerprint_sha256", simulator_->certificateSha256())
        .set("timeout_ms", "3000");
    sink_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    StartResult result = sink_.start();
    ASSERT_EQ(result.kind, StartResult::Kind::Ok) << result.why;
  }

  std::string metrics() { return ctx_.metrics().renderPrometheus(); }

  std::unique_ptr<TwoNSimulator> simulator_;
  std::string janaUuid_;
  FakePluginContext ctx_{"door2n"};
  Sink2n sink_;
};

TEST_F(Sink2nSimulatorTest, ForwardsReadsTheDeviceDecidesOn) {
  startAll();
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_EQ(sink_.deliver(makeEvent(2, "ZZ999ZZ")).kind, Delivery::Kind::Ok);

  auto requests = simulator_->lprRequests();
  std::vector<lpr::testing::TwoNLprRequest> reads;
  for (const auto& r : requests) {
    if (!r.lprUuid.empty()) reads.push_back(r);
  }
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].errorCode, 0);
  EXPECT_EQ(reads[0].lprUuid, lprUuidFor("sim-evt-1"));
  EXPECT_EQ(reads[0].lprId, 501);
  EXPECT_EQ(reads[0].lprDir, 2);
  EXPECT_EQ(reads[0].accessPoint, 0);
  EXPECT_EQ(reads[0].plateText, "AB123CD");
  EXPECT_TRUE(reads[0].decision.valid);
  EXPECT_FALSE(reads[1].decision.userFound);

  // The device logged its decisions, and the sink read them back as verdicts.
  auto events = simulator_->events("LicensePlateRecognized");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].params()->getValue<bool>("valid"));
  EXPECT_FALSE(events[1].params()->getValue<bool>("valid"));
}

TEST_F(Sink2nSimulatorTest, TheDevicesVerdictIsCorrelatedWithTheForwardedRead) {
  startAll();
  EXPECT_EQ(ctx_.verdicts().authorities(), std::vector<std::string>{"door2n"});
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
  ASSERT_EQ(sink_.deliver(makeEvent(2, "ZZ999ZZ")).kind, Delivery::Kind::Ok);

  auto user = ctx_.verdicts().waitVerdict("sim-evt-1", 10s);
  ASSERT_TRUE(user.has_value()) << "no verdict for the user's plate";
  EXPECT_TRUE(user->valid);
  EXPECT_EQ(user->uuid.value_or(""), janaUuid_);
  EXPECT_EQ(user->decidedBy, "2n");
  EXPECT_TRUE(user->session.has_value());
  auto stranger = ctx_.verdicts().waitVerdict("sim-evt-2", 10s);
  ASSERT_TRUE(stranger.has_value()) << "no verdict for the unknown plate";
  EXPECT_FALSE(stranger->valid);
  EXPECT_FALSE(stranger->uuid.has_value());
  EXPECT_EQ(stranger->decidedBy, "2n");
  EXPECT_NE(metrics().find("lpr_2n_verdict_latency_seconds_count{plugin=\"door2n\"} 2"),
            std::string::npos);
}

TEST_F(Sink2nSimulatorTest, TheVerdictNamesTheUserFromTheDirectoryMirror) {
  startAll();
  ASSERT_TRUE(waitFor([&] { return sink_.watch()->syncs() >= 1; }, 10s));
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB 123 CD")).kind, Delivery::Kind::Ok);
  auto verdict = ctx_.verdicts().waitVerdict("sim-evt-1", 10s);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->userName.value_or(""), "Jana Novak");
}

TEST_F(Sink2nSimulatorTest, TheMirrorFollowsTheDeviceDirectoryWithoutBeingAsked) {
  startAll();
  const DeviceWatch& watch = *sink_.watch();
  auto mirrorEqualsDevice = [&] { return watch.mirror()->users() == deviceUsers(*simulator_); };
  ASSERT_TRUE(waitFor(mirrorEqualsDevice, 10s));
  EXPECT_TRUE(watch.mirror()->lastConfirmedFresh().has_value());

  // A change on the device is logged as DirectoryChanged, which triggers an incremental sync.
  TwoNUser petr;
  petr.name = "Petr Svoboda";
  petr.plates = {"1A23456", "PRAGUE1"};
  std::string petrUuid = simulator_->addUser(petr);
  ASSERT_TRUE(waitFor(mirrorEqualsDevice, 10s));
  ASSERT_EQ(watch.mirror()->users().size(), 2u);

  simulator_->directoryDelete(R"({"users":[{"uuid":")" + petrUuid + R"("}]})");
  ASSERT_TRUE(waitFor(mirrorEqualsDevice, 10s));
  EXPECT_EQ(watch.mirror()->users().size(), 1u);
  EXPECT_EQ(watch.lastSync()->kind, DirectorySyncResult::Kind::Incremental);

  // A restart with a new directory series: the sink resubscribes and resyncs in full.
  // Only a full resync takes the new series, so the series in the mirror shows that one ran;
  // whether the change after the restart came with it or in a later incremental sync is timing.
  const std::string oldSeries = watch.mirror()->series();
  simulator_->restart(true);
  TwoNUser eva;
  eva.name = "Eva Dvorak";
  eva.plates = {"EV1"};
  simulator_->addUser(eva);
  ASSERT_NE(simulator_->directorySeries(), oldSeries);
  ASSERT_TRUE(waitFor(
      [&] {
        return mirrorEqualsDevice() && watch.mirror()->series() == simulator_->directorySeries();
      },
      15s));
}

TEST_F(Sink2nSimulatorTest, VerdictsAndTheMirrorCanBeSwitchedOff) {
  ctx_.set("verdicts.enabled", "false").set("mirror.enabled", "false");
  startAll();
  EXPECT_TRUE(ctx_.verdicts().authorities().empty());
  EXPECT_EQ(sink_.watch(), nullptr);
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
}

TEST_F(Sink2nSimulatorTest, LegacyFirmwareGetsNoLprIdOrDir) {
  TwoNSimulatorOptions options;
  options.swVersion = "2.39.1.44.2";
  options.legacyLprKeys = lpr::testing::LegacyLprKeys::Reject;  // refuses keys it does not know
  startAll(options);
  Delivery delivery = sink_.deliver(makeEvent(1, "AB123CD"));
  EXPECT_EQ(delivery.kind, Delivery::Kind::Ok) << delivery.why;
  auto requests = simulator_->lprRequests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().errorCode, 0);
  EXPECT_FALSE(requests.back().lprId.has_value());
  EXPECT_FALSE(requests.back().lprDir.has_value());
}

TEST_F(Sink2nSimulatorTest, ExpiredNoncesAndPrivilegeLossAreHandled) {
  startAll();
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB123CD")).kind, Delivery::Kind::Ok);
  simulator_->expireNonces();
  EXPECT_EQ(sink_.deliver(makeEvent(2, "AB123CD")).kind, Delivery::Kind::Ok);

  simulator_->answerError("/api/lpr/licenseplate", 10);
  Delivery refused = sink_.deliver(makeEvent(3, "AB123CD"));
  EXPECT_EQ(refused.kind, Delivery::Kind::Reject) << refused.why;
  EXPECT_EQ(sink_.health().state, Health::State::Failed);
  Delivery held = sink_.deliver(makeEvent(4, "AB123CD"));
  EXPECT_EQ(held.kind, Delivery::Kind::Retry);
  EXPECT_GT(held.after.count(), 0);
}

TEST_F(Sink2nSimulatorTest, ARefinementIsNotForwarded) {
  startAll();
  ASSERT_EQ(sink_.deliver(makeEvent(1, "AB128CD")).kind, Delivery::Kind::Ok);
  PlateEvent refinement = makeEvent(2, "AB123CD");
  refinement.updateOf = makeEvent(1, "AB128CD").id;
  EXPECT_EQ(sink_.deliver(refinement).kind, Delivery::Kind::Ok);
  std::size_t reads = 0;
  for (const auto& r : simulator_->lprRequests()) reads += !r.lprUuid.empty();
  EXPECT_EQ(reads, 1u) << "the device would decide the refinement again";
  EXPECT_NE(metrics().find("lpr_2n_not_forwarded_total{plugin=\"door2n\",reason=\"refinement\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace lpr::plugins::sink_2n
