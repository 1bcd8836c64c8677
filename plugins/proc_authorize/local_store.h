#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "access/access_model.h"

namespace lpr::plugins::proc_authorize {

struct StoredListEntry {
  std::int64_t id = 0;
  lpr::access::ListEntry entry;
};

// The users and list entries written through the management API, in a SQLite file of this
// plugin (WAL). Read on start and after each write only: decisions use the AccessData built
// from it. Thread-safe; throws Poco::Exception when the file cannot be used.
class LocalStore {
 public:
  explicit LocalStore(const std::string& path);

  std::vector<lpr::access::DirectoryUser> users();  // creation order
  std::optional<lpr::access::DirectoryUser> user(const std::string& uuid);
  // All or none, in one transaction; the users carry their uuids.
  void addUsers(const std::vector<lpr::access::DirectoryUser>& users);
  bool replaceUser(const lpr::access::DirectoryUser& user);  // false: no such uuid
  bool removeUser(const std::string& uuid);

  std::vector<StoredListEntry> lists();  // creation order
  std::int64_t addListEntry(const lpr::access::ListEntry& entry);
  bool removeListEntry(std::int64_t id);

  // Time profiles as id → intervals in the configuration's syntax ("mon-fri 07:00-18:00"),
  // ordered by id; holidays as written (YYYY-MM-DD or MM-DD), sorted.
  std::vector<std::pair<std::string, std::string>> profiles();
  void putProfile(const std::string& id, const std::string& intervals);
  bool removeProfile(const std::string& id);
  std::vector<std::string> holidays();
  bool addHoliday(const std::string& date);  // false: already there
  bool removeHoliday(const std::string& date);

 private:
  std::mutex mutex_;
  Poco::Data::Session session_;
};

}  // namespace lpr::plugins::proc_authorize
