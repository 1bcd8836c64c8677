// The loader and the fallback over a real mirror file, written by sink_2n's DirectoryMirror from
// the 2N device simulator's directory.
#include "mirror_loader.h"

#include <gtest/gtest.h>

#include "directory_mirror.h"
#include "fake_plugin_context.h"
#include "proc_authorize.h"
#include "simulator_test_support.h"
#include "test_env.h"
#include "two_n_simulator.h"

namespace lpr::plugins::proc_authorize {
namespace {

using lpr::plugins::sink_2n::DirectoryMirror;
using lpr::plugins::sink_2n::DirectoryMirrorOptions;
using lpr::testing::FakePluginContext;
using lpr::testing::TwoNSimulator;
using lpr::testing::TwoNUser;

class MirrorLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    device_.start();
    // uuids against their order: the directory order is not the uuid order.
    TwoNUser jana;
    jana.uuid = "ffffffff-0000-4000-8000-000000000001";
    jana.name = "Jana Novak";
    jana.plates = {"AB123CD", "XY 987"};
    jana.validFrom = "1700000000";
    jana.exitEnabled = false;
    janaUuid_ = device_.addUser(jana);
    TwoNUser petr;  // holds Jana's plate too, later in the directory
    petr.uuid = "00000000-0000-4000-8000-000000000002";
    petr.name = "Petr Svoboda";
    petr.plates = {"AB123CD", "1A23456"};
    petrUuid_ = device_.addUser(petr);
    device_.directoryUpdate(R"({"users":[{"uuid":")" + petrUuid_ +
                            R"(","access":{"accessPoints":[{"profiles":"2, 3"}]}}]})");
  }
  std::string mirrorPath() const { return ctx_.dataDirectory() + "/2n-directory-door.db"; }
  void sync() {
    DirectoryMirrorOptions options;
    options.client = lpr::plugins::sink_2n::clientOptionsFor(device_);
    options.databasePath = mirrorPath();
    DirectoryMirror mirror(options);
    ASSERT_NE(mirror.syncNow().kind, sink_2n::DirectorySyncResult::Kind::Failed);
  }
  PlateEvent readOf(const std::string& plate, int accessPoint = 0) {
    PlateEvent event;
    event.id = "evt-" + plate;
    event.sourceId = "cam";
    event.plate = plate;
    event.accessPoint = accessPoint;
    return event;
  }

  TwoNSimulator device_;
  std::string janaUuid_, petrUuid_;
  FakePluginContext ctx_{"auth"};
};

TEST_F(MirrorLoaderTest, MissingFileIsNoUsersAndNeverFresh) {
  MirrorLoader loader(mirrorPath());
  EXPECT_FALSE(loader.stamp().has_value());
  MirrorSnapshot snapshot = loader.load();
  EXPECT_TRUE(snapshot.users.empty());
  EXPECT_FALSE(snapshot.lastConfirmedFresh.has_value());
}

TEST_F(MirrorLoaderTest, ReadsUsersInDirectoryOrderWithTheirRules) {
  sync();
  MirrorSnapshot snapshot = MirrorLoader(mirrorPath()).load();
  ASSERT_TRUE(snapshot.lastConfirmedFresh.has_value());
  EXPECT_LT(std::chrono::system_clock::now() - *snapshot.lastConfirmedFresh, std::chrono::hours(1));
  ASSERT_EQ(snapshot.users.size(), 2u);
  const access::DirectoryUser& jana = snapshot.users[0];
  EXPECT_EQ(jana.uuid, janaUuid_) << "directory order, not uuid order";
  EXPECT_EQ(jana.name, "Jana Novak");
  EXPECT_EQ(jana.plates, (std::vector<std::string>{"AB123CD", "XY 987"}));
  ASSERT_TRUE(jana.validFrom.has_value());
  EXPECT_EQ(access::formatUtcSeconds(*jana.validFrom), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(jana.validTo.has_value());
  EXPECT_TRUE(jana.accessPoints[0].enabled);
  EXPECT_FALSE(jana.accessPoints[1].enabled);
  const access::DirectoryUser& petr = snapshot.users[1];
  EXPECT_EQ(petr.uuid, petrUuid_);
  EXPECT_EQ(petr.accessPoints[0].profileIds, (std::vector<std::string>{"2", "3"}));
  EXPECT_TRUE(petr.accessPoints[1].profileIds.empty());
}

TEST_F(MirrorLoaderTest, UsersAddedLaterGoLastAndStampChanges) {
  sync();
  MirrorLoader loader(mirrorPath());
  const auto before = loader.stamp();
  ASSERT_TRUE(before.has_value());
  TwoNUser late;
  late.uuid = "00000000-0000-4000-8000-000000000000";
  late.name = "Late";
  late.plates = {"LA7E"};
  device_.addUser(late);
  sync();  // incremental
  EXPECT_NE(loader.stamp(), before);
  MirrorSnapshot snapshot = loader.load();
  ASSERT_EQ(snapshot.users.size(), 3u);
  EXPECT_EQ(snapshot.users[0].uuid, janaUuid_);
  EXPECT_EQ(snapshot.users[2].name, "Late");
}

TEST_F(MirrorLoaderTest, FallbackDecidesFromTheMirror) {
  sync();
  ctx_.set("directory", "door");
  ctx_.set("profile.2.intervals", "daily 00:00-24:00");
  ProcAuthorize plugin;
  plugin.configure(ctx_);
  ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
  ASSERT_EQ(plugin.start().kind, StartResult::Kind::Ok);
  const auto& fallback = ctx_.verdicts().fallback();
  ASSERT_TRUE(fallback);

  // The first matching entry wins: Jana, although Petr's uuid sorts first.
  auto user = fallback(readOf("AB 123CD"));
  ASSERT_TRUE(user);
  EXPECT_TRUE(user->valid) << user->reason;
  EXPECT_EQ(user->decidedBy, "local_fallback");
  EXPECT_EQ(user->uuid, janaUuid_);
  EXPECT_EQ(user->userName, "Jana Novak");
  // Jana's exit is disabled on the device.
  auto exit = fallback(readOf("AB123CD", 1));
  EXPECT_FALSE(exit->valid);
  EXPECT_EQ(exit->uuid, janaUuid_);
  // Petr's entry needs profile 2 or 3; 2 is always active.
  EXPECT_TRUE(fallback(readOf("1A23456"))->valid);

  auto unknown = fallback(readOf("ZZ999ZZ"));
  EXPECT_FALSE(unknown->valid);
  EXPECT_EQ(unknown->decidedBy, "local_fallback");
  EXPECT_FALSE(unknown->uuid.has_value());
  EXPECT_EQ(plugin.health().state, Health::State::Ok) << plugin.health().detail;
  EXPECT_NE(
      ctx_.metrics().renderPrometheus().find(R"(lpr_authorize_mirror_users{plugin="auth"} 2)"),
      std::string::npos);
  plugin.stop();
}

TEST_F(MirrorLoaderTest, DenyListBeatsADirectoryGrant) {
  sync();
  ctx_.set("directory", "door").set("list.1.action", "deny").set("list.1.plate", "AB123CD");
  ProcAuthorize plugin;
  plugin.configure(ctx_);
  ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
  ASSERT_EQ(plugin.start().kind, StartResult::Kind::Ok);
  auto d = ctx_.verdicts().fallback()(readOf("AB123CD"));
  EXPECT_FALSE(d->valid);
  EXPECT_EQ(d->decidedBy, "list");
  plugin.stop();
}

TEST_F(MirrorLoaderTest, AMirrorOlderThanMaxStalenessIsNotTrusted) {
  sync();
  ctx_.set("directory", "door").set("max_staleness_s", "1");
  ProcAuthorize plugin;
  plugin.configure(ctx_);
  ASSERT_EQ(plugin.start().kind, StartResult::Kind::Ok);
  // No sleep: wait until the mirror's one second of trust is over.
  ASSERT_TRUE(lpr::testing::waitFor(
      [&] { return ctx_.verdicts().fallback()(readOf("AB123CD"))->decidedBy == "policy"; },
      std::chrono::seconds(10)));
  EXPECT_FALSE(ctx_.verdicts().fallback()(readOf("AB123CD"))->valid);
  EXPECT_EQ(plugin.health().state, Health::State::Degraded);
  plugin.stop();
}

TEST_F(MirrorLoaderTest, ReloadPicksUpANewSync) {
  ctx_.set("directory", "door");
  ProcAuthorize plugin;
  plugin.configure(ctx_);
  ASSERT_EQ(plugin.start().kind, StartResult::Kind::Ok);
  EXPECT_EQ(ctx_.verdicts().fallback()(readOf("AB123CD"))->decidedBy, "policy");
  sync();
  ASSERT_TRUE(plugin.reloadNow());
  auto d = ctx_.verdicts().fallback()(readOf("AB123CD"));
  EXPECT_EQ(d->decidedBy, "local_fallback");
  EXPECT_TRUE(d->valid);
  plugin.stop();
}

}  // namespace
}  // namespace lpr::plugins::proc_authorize
