// DirectoryMirror against the full 2N device simulator: the mirror equals the device's
// directory, field by field, after a full sync, after creates/updates/deletes synced
// incrementally (tombstones remove users), and after a directory reset (new series).
#include "directory_mirror.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "simulator_test_support.h"
#include "test_env.h"
#include "two_n_simulator.h"

namespace lpr::plugins::sink_2n {
namespace {

using lpr::testing::ScratchDir;
using lpr::testing::TwoNSimulator;
using lpr::testing::TwoNUser;

class DirectoryMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    simulator_ = std::make_unique<TwoNSimulator>();
    simulator_->start();
    TwoNUser jana;
    jana.name = "Jana Novak";
    jana.plates = {"AB123CD", "XY 987"};
    jana.validFrom = "1700000000";
    jana.validTo = "1900000000";
    jana.owner = "ACOM";
    janaUuid_ = simulator_->addUser(jana);
    TwoNUser petr;
    petr.name = "Petr Svoboda";
    petr.plates = {"1A23456"};
    petr.exitEnabled = false;
    petrUuid_ = simulator_->addUser(petr);
    TwoNUser visitor;  // no plates: still a user (a card or PIN holder), kept
    visitor.name = "Visitor";
    visitorUuid_ = simulator_->addUser(visitor);
    // A time profile reference on the entry access point.
    simulator_->directoryUpdate(R"({"users":[{"uuid":")" + petrUuid_ +
                                R"(","access":{"accessPoints":[{"profiles":"2"}]}}]})");
  }

  DirectoryMirrorOptions mirrorOptions() {
    DirectoryMirrorOptions options;
    options.client = clientOptionsFor(*simulator_);
    options.databasePath = scratch_.file("mirror/directory.db");
    options.wallClock = [this] { return now_; };
    return options;
  }

  ScratchDir scratch_{"lpr-2n-mirror"};
  std::unique_ptr<TwoNSimulator> simulator_;
  std::string janaUuid_, petrUuid_, visitorUuid_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
};

TEST_F(DirectoryMirrorTest, FirstSyncIsFullAndEqualsTheDevice) {
  DirectoryMirror mirror(mirrorOptions());
  EXPECT_FALSE(mirror.lastConfirmedFresh().has_value());
  DirectorySyncResult result = mirror.syncNow();
  ASSERT_EQ(result.kind, DirectorySyncResult::Kind::Full) << result.error;
  EXPECT_EQ(result.changed, 3u);
  EXPECT_EQ(result.removed, 0u);
  EXPECT_EQ(result.users, 3u);
  EXPECT_EQ(result.series, simulator_->directorySeries());
  EXPECT_EQ(result.timestamp, simulator_->directoryTimestamp());
  EXPECT_EQ(mirror.series(), simulator_->directorySeries());
  EXPECT_EQ(mirror.timestamp(), simulator_->directoryTimestamp());
  EXPECT_EQ(mirror.lastConfirmedFresh(), now_);

  const auto users = mirror.users();
  expectEqual(users, deviceUsers(*simulator_));
  // The fields that matter, spelled out (not only "as the device has them").
  auto jana =
      std::find_if(users.begin(), users.end(), [&](auto& u) { return u.uuid == janaUuid_; });
  ASSERT_NE(jana, users.end());
  EXPECT_EQ(jana->plates, (std::vector<std::string>{"AB123CD", "XY 987"}));  // as stored
  EXPECT_EQ(jana->owner, "ACOM");
  EXPECT_EQ(jana->validFrom, "1700000000");
  auto petr =
      std::find_if(users.begin(), users.end(), [&](auto& u) { return u.uuid == petrUuid_; });
  ASSERT_NE(petr, users.end());
  ASSERT_EQ(petr->accessPoints.size(), 2u);
  EXPECT_TRUE(petr->accessPoints[0].enabled);
  EXPECT_EQ(petr->accessPoints[0].profiles, "2");
  EXPECT_FALSE(petr->accessPoints[1].enabled);
}

TEST_F(DirectoryMirrorTest, ChangesAreSyncedIncrementallyAndTombstonesRemoveUsers) {
  DirectoryMirror mirror(mirrorOptions());
  ASSERT_EQ(mirror.syncNow().kind, DirectorySyncResult::Kind::Full);
  const std::size_t queriesBefore = simulator_->requestCount("/api/dir/query");

  TwoNUser eva;
  eva.name = "Eva";
  eva.plates = {"EV1"};
  simulator_->addUser(eva);
  simulator_->directoryUpdate(R"({"users":[{"uuid":")" + janaUuid_ +
                              R"(","name":"Jana Dvorak","access":{"licensePlates":"AB123CD",)"
                              R"("validTo":"0"}}]})");
  simulator_->directoryDelete(R"({"users":[{"uuid":")" + petrUuid_ + R"("}]})");

  now_ += std::chrono::minutes(5);
  DirectorySyncResult result = mirror.syncNow();
  ASSERT_EQ(result.kind, DirectorySyncResult::Kind::Incremental) << result.error;
  EXPECT_EQ(result.changed, 2u);  // Eva created, Jana updated
  EXPECT_EQ(result.removed, 1u);  // Petr's tombstone
  EXPECT_EQ(result.users, 3u);
  EXPECT_EQ(simulator_->requestCount("/api/dir/query"), queriesBefore + 1);
  EXPECT_EQ(mirror.timestamp(), simulator_->directoryTimestamp());
  EXPECT_EQ(mirror.lastConfirmedFresh(), now_);
  const auto users = mirror.users();
  expectEqual(users, deviceUsers(*simulator_));
  EXPECT_TRUE(
      std::none_of(users.begin(), users.end(), [&](auto& u) { return u.uuid == petrUuid_; }));

  // Nothing changed: still incremental, nothing written, freshness confirmed again.
  now_ += std::chrono::minutes(5);
  result = mirror.syncNow();
  ASSERT_EQ(result.kind, DirectorySyncResult::Kind::Incremental);
  EXPECT_EQ(result.changed + result.removed, 0u);
  EXPECT_EQ(mirror.lastConfirmedFresh(), now_);
}

TEST_F(DirectoryMirrorTest, TheMirrorSurvivesAReopenAndContinuesIncrementally) {
  {
    DirectoryMirror mirror(mirrorOptions());
    ASSERT_EQ(mirror.syncNow().kind, DirectorySyncResult::Kind::Full);
  }
  simulator_->directoryDelete(R"({"users":[{"uuid":")" + visitorUuid_ + R"("}]})");
  DirectoryMirror reopened(mirrorOptions());
  EXPECT_EQ(reopened.lastConfirmedFresh(), now_);
  DirectorySyncResult result = reopened.syncNow();
  ASSERT_EQ(result.kind, DirectorySyncResult::Kind::Incremental) << result.error;
  EXPECT_EQ(result.removed, 1u);
  expectEqual(reopened.users(), deviceUsers(*simulator_));
}

TEST_F(DirectoryMirrorTest, ANewSeriesLeadsToAFullResync) {
  DirectoryMirror mirror(mirrorOptions());
  ASSERT_EQ(mirror.syncNow().kind, DirectorySyncResult::Kind::Full);
  const std::string oldSeries = mirror.series();

  // Device restarted with a directory reset: entries kept but re-stamped in a new series.
  simulator_->restart(true);
  ASSERT_NE(simulator_->directorySeries(), oldSeries);
  DirectorySyncResult result = mirror.syncNow();
  ASSERT_EQ(result.kind, DirectorySyncResult::Kind::Full) << result.error;
  EXPECT_EQ(result.series, simulator_->directorySeries());
  EXPECT_EQ(mirror.series(), simulator_->directorySeries());
  EXPECT_EQ(mirror.timestamp(), simulator_->directoryTimestamp());
  expectEqual(mirror.users(), deviceUsers(*simulator_));

  // A reset that empties the directory, then a new user: the old users leave the mirror.
  simulator_->newDirectorySeries(false);
  TwoNUser only;
  only.name = "Only One";
  only.plates = {"NEW1"};
  simulator_->addUser(only);
  result = mirror.syncNow();
  ASSERT_EQ(result.kind, DirectorySyncResult::Kind::Full) << result.error;
  EXPECT_EQ(result.changed, 1u);
  EXPECT_EQ(result.removed, 3u);
  expectEqual(mirror.users(), deviceUsers(*simulator_));
}

TEST_F(DirectoryMirrorTest, AnUnreachableDeviceLeavesTheMirrorAsItWas) {
  DirectoryMirror mirror(mirrorOptions());
  ASSERT_EQ(mirror.syncNow().kind, DirectorySyncResult::Kind::Full);
  const auto fresh = mirror.lastConfirmedFresh();
  const auto before = mirror.users();

  simulator_->stop();
  now_ += std::chrono::minutes(5);
  DirectorySyncResult result = mirror.syncNow();
  EXPECT_EQ(result.kind, DirectorySyncResult::Kind::Failed);
  EXPECT_FALSE(result.error.empty());
  EXPECT_EQ(mirror.lastConfirmedFresh(), fresh);  // not confirmed: the age shows it
  EXPECT_EQ(mirror.users(), before);

  // A 2N error (privilege missing) is a failure too.
  simulator_->start();
  simulator_->answerError("/api/dir/query", 10, 1);
  result = mirror.syncNow();
  EXPECT_EQ(result.kind, DirectorySyncResult::Kind::Failed);
  EXPECT_NE(result.error.find("10"), std::string::npos) << result.error;
  EXPECT_EQ(mirror.syncNow().kind, DirectorySyncResult::Kind::Incremental);
}

TEST(DirectoryMirrorPlates, SplitsAtCommasAndTrims) {
  EXPECT_EQ(DirectoryMirror::splitPlates("AB 123, CD456 ,,"),
            (std::vector<std::string>{"AB 123", "CD456"}));
  EXPECT_TRUE(DirectoryMirror::splitPlates("").empty());
}

}  // namespace
}  // namespace lpr::plugins::sink_2n
