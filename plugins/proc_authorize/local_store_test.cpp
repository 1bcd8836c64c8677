#include "local_store.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include "test_env.h"

namespace lpr::plugins::proc_authorize {
namespace {

using namespace Poco::Data::Keywords;

TEST(LocalStoreTest, AStoreFromBeforeTimeProfilesKeepsItsUsersAndGainsTheColumns) {
  lpr::testing::ScratchDir dir{"lpr-local-store"};
  const std::string path = dir.file("local.db");
  {
    // The users table as the first release created it.
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", path);
    s << "CREATE TABLE users (seq INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,"
         " name TEXT NOT NULL, plates TEXT NOT NULL, valid_from INTEGER NOT NULL,"
         " valid_to INTEGER NOT NULL, entry INTEGER NOT NULL, exit INTEGER NOT NULL)",
        now;
    s << "INSERT INTO users (uuid, name, plates, valid_from, valid_to, entry, exit)"
         " VALUES ('u-1', 'Jo', 'AB1;AB2', 0, 0, 1, 0)",
        now;
  }
  {
    LocalStore store(path);
    auto users = store.users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].name, "Jo");
    EXPECT_EQ(users[0].plates, (std::vector<std::string>{"AB1", "AB2"}));
    EXPECT_FALSE(users[0].accessPoints[access::kExit].enabled);
    EXPECT_TRUE(users[0].accessPoints[access::kEntry].profileIds.empty());
    access::DirectoryUser night = users[0];
    night.uuid = "u-2";
    night.accessPoints[access::kEntry].profileIds = {"night", "weekend"};
    store.addUsers({night});
  }
  LocalStore reopened(path);
  auto users = reopened.users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].accessPoints[access::kEntry].profileIds,
            (std::vector<std::string>{"night", "weekend"}));
  EXPECT_TRUE(users[1].accessPoints[access::kExit].profileIds.empty());
}

}  // namespace
}  // namespace lpr::plugins::proc_authorize
