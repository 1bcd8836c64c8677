#include "local_store.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>

#include <sstream>

using namespace Poco::Data::Keywords;

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

namespace {

// Times as Unix seconds, 0 for no limit (as 2N stores them).
Poco::Int64 toSeconds(const std::optional<access::TimePoint>& at) {
  return at ? std::chrono::floor<std::chrono::seconds>(*at).time_since_epoch().count() : 0;
}

std::optional<access::TimePoint> fromSeconds(Poco::Int64 s) {
  if (s <= 0) return std::nullopt;
  return access::TimePoint(std::chrono::seconds(s));
}

// Plates never contain ';' (checkLocalUser), gates never ','.
std::string join(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? std::string(1, separator) : "") + items[i];
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) out.push_back(item);
  return out;
}

Poco::Data::Session openSession(const std::string& path) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", path);
  s << "PRAGMA journal_mode=WAL", now;
  s << "PRAGMA busy_timeout=5000", now;
  s << "CREATE TABLE IF NOT EXISTS users (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
       " uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, plates TEXT NOT NULL,"
       " valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL, entry INTEGER NOT NULL,"
       " exit INTEGER NOT NULL)",
      now;
  // Stores made before local users had time profiles get the columns (empty: no restriction).
  for (std::string column : {"entry_profiles", "exit_profiles"}) {
    int present = 0;
    s << "SELECT COUNT(*) FROM pragma_table_info('users') WHERE name = ?", use(column),
        into(present), now;
    if (!present) s << "ALTER TABLE users ADD COLUMN " + column + " TEXT NOT NULL DEFAULT ''", now;
  }
  s << "CREATE TABLE IF NOT EXISTS list (id INTEGER PRIMARY KEY AUTOINCREMENT,"
       " action TEXT NOT NULL, plate TEXT NOT NULL, name TEXT NOT NULL,"
       " valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL, access_points TEXT NOT NULL,"
       " gates TEXT NOT NULL)",
      now;
  s << "CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, intervals TEXT NOT NULL)", now;
  s << "CREATE TABLE IF NOT EXISTS holidays (date TEXT PRIMARY KEY)", now;
  return s;
}

struct UserRow {
  std::string uuid, name, plates;
  Poco::Int64 from = 0, to = 0;
  int entry = 1, exit = 1;
  std::string entryProfiles, exitProfiles;  // ids joined by ';' (checkLocalUser keeps it out)
};

UserRow rowOf(const access::DirectoryUser& u) {
  return {u.uuid,
          u.name,
          join(u.plates, ';'),
          toSeconds(u.validFrom),
          toSeconds(u.validTo),
          u.accessPoints[access::kEntry].enabled ? 1 : 0,
          u.accessPoints[access::kExit].enabled ? 1 : 0,
          join(u.accessPoints[access::kEntry].profileIds, ';'),
          join(u.accessPoints[access::kExit].profileIds, ';')};
}

}  // namespace

LocalStore::LocalStore(const std::string& path) : session_(openSession(path)) {}

std::vector<access::DirectoryUser> LocalStore::users() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> uuids, names, plates;
  std::vector<Poco::Int64> froms, tos;
  std::vector<int> entries, exits;
  std::vector<std::string> entryProfiles, exitProfiles;
  session_ << "SELECT uuid, name, plates, valid_from, valid_to, entry, exit, entry_profiles,"
              " exit_profiles FROM users ORDER BY seq",
      into(uuids), into(names), into(plates), into(froms), into(tos), into(entries), into(exits),
      into(entryProfiles), into(exitProfiles), now;
  std::vector<access::DirectoryUser> users(uuids.size());
  for (std::size_t i = 0; i < uuids.size(); ++i) {
    auto& u = users[i];
    u.uuid = uuids[i];
    u.name = names[i];
    u.plates = split(plates[i], ';');
    u.validFrom = fromSeconds(froms[i]);
    u.validTo = fromSeconds(tos[i]);
    u.accessPoints[access::kEntry].enabled = entries[i] != 0;
    u.accessPoints[access::kExit].enabled = exits[i] != 0;
    u.accessPoints[access::kEntry].profileIds = split(entryProfiles[i], ';');
    u.accessPoints[access::kExit].profileIds = split(exitProfiles[i], ';');
  }
  return users;
}

std::optional<access::DirectoryUser> LocalStore::user(const std::string& uuid) {
  for (auto& u : users()) {
    if (u.uuid == uuid) return std::move(u);
  }
  return std::nullopt;
}

void LocalStore::addUsers(const std::vector<access::DirectoryUser>& users) {
  std::lock_guard lock(mutex_);
  Poco::Data::Transaction transaction(session_);
  for (const auto& u : users) {
    UserRow r = rowOf(u);
    session_ << "INSERT INTO users (uuid, name, plates, valid_from, valid_to, entry, exit,"
                " entry_profiles, exit_profiles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(r.uuid), use(r.name), use(r.plates), use(r.from), use(r.to), use(r.entry), use(r.exit),
        use(r.entryProfiles), use(r.exitProfiles), now;
  }
  transaction.commit();
}

bool LocalStore::replaceUser(const access::DirectoryUser& user) {
  std::lock_guard lock(mutex_);
  UserRow r = rowOf(user);
  Poco::Data::Statement update(session_);
  update << "UPDATE users SET name = ?, plates = ?, valid_from = ?, valid_to = ?, entry = ?,"
            " exit = ?, entry_profiles = ?, exit_profiles = ? WHERE uuid = ?",
      use(r.name), use(r.plates), use(r.from), use(r.to), use(r.entry), use(r.exit),
      use(r.entryProfiles), use(r.exitProfiles), use(r.uuid);
  return update.execute() > 0;
}

bool LocalStore::removeUser(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  std::string u = uuid;
  Poco::Data::Statement remove(session_);
  remove << "DELETE FROM users WHERE uuid = ?", use(u);
  return remove.execute() > 0;
}

std::vector<StoredListEntry> LocalStore::lists() {
  std::lock_guard lock(mutex_);
  std::vector<Poco::Int64> ids, froms, tos;
  std::vector<std::string> actions, plates, names, aps, gates;
  session_ << "SELECT id, action, plate, name, valid_from, valid_to, access_points, gates"
              " FROM list ORDER BY id",
      into(ids), into(actions), into(plates), into(names), into(froms), into(tos), into(aps),
      into(gates), now;
  std::vector<StoredListEntry> out(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out[i].id = ids[i];
    auto& e = out[i].entry;
    e.action = actions[i] == "allow" ? access::ListAction::Allow : access::ListAction::Deny;
    e.plate = plates[i];
    e.name = names[i];
    e.validFrom = fromSeconds(froms[i]);
    e.validTo = fromSeconds(tos[i]);
    for (const auto& ap : split(aps[i], ',')) e.scope.accessPoints.insert(std::stoi(ap));
    for (const auto& gate : split(gates[i], ',')) e.scope.gates.insert(gate);
  }
  return out;
}

std::int64_t LocalStore::addListEntry(const access::ListEntry& e) {
  std::lock_guard lock(mutex_);
  std::string action = e.action == access::ListAction::Allow ? "allow" : "deny";
  std::string plate = e.plate, name = e.name;
  Poco::Int64 from = toSeconds(e.validFrom), to = toSeconds(e.validTo);
  std::vector<std::string> apList;
  for (int ap : e.scope.accessPoints) apList.push_back(std::to_string(ap));
  std::string aps = join(apList, ',');
  std::string gates = join({e.scope.gates.begin(), e.scope.gates.end()}, ',');
  Poco::Int64 id = 0;
  Poco::Data::Transaction transaction(session_);
  session_ << "INSERT INTO list (action, plate, name, valid_from, valid_to, access_points, gates)"
              " VALUES (?, ?, ?, ?, ?, ?, ?)",
      use(action), use(plate), use(name), use(from), use(to), use(aps), use(gates), now;
  session_ << "SELECT last_insert_rowid()", into(id), now;
  transaction.commit();
  return id;
}

bool LocalStore::removeListEntry(std::int64_t id) {
  std::lock_guard lock(mutex_);
  Poco::Int64 i = id;
  Poco::Data::Statement remove(session_);
  remove << "DELETE FROM list WHERE id = ?", use(i);
  return remove.execute() > 0;
}

std::vector<std::pair<std::string, std::string>> LocalStore::profiles() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids, intervals;
  session_ << "SELECT id, intervals FROM profiles ORDER BY id", into(ids), into(intervals), now;
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < ids.size(); ++i) out.emplace_back(ids[i], intervals[i]);
  return out;
}

void LocalStore::putProfile(const std::string& id, const std::string& intervals) {
  std::lock_guard lock(mutex_);
  std::string key = id, text = intervals;
  session_ << "INSERT INTO profiles(id, intervals) VALUES(?, ?) "
              "ON CONFLICT(id) DO UPDATE SET intervals = excluded.intervals",
      use(key), use(text), now;
}

bool LocalStore::removeProfile(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::string key = id;
  Poco::Data::Statement remove(session_);
  remove << "DELETE FROM profiles WHERE id = ?", use(key);
  return remove.execute() > 0;
}

std::vector<std::string> LocalStore::holidays() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> dates;
  session_ << "SELECT date FROM holidays ORDER BY date", into(dates), now;
  return dates;
}

bool LocalStore::addHoliday(const std::string& date) {
  std::lock_guard lock(mutex_);
  std::string key = date;
  Poco::Data::Statement insert(session_);
  insert << "INSERT OR IGNORE INTO holidays(date) VALUES(?)", use(key);
  return insert.execute() > 0;
}

bool LocalStore::removeHoliday(const std::string& date) {
  std::lock_guard lock(mutex_);
  std::string key = date;
  Poco::Data::Statement remove(session_);
  remove << "DELETE FROM holidays WHERE date = ?", use(key);
  return remove.execute() > 0;
}

}  // namespace lpr::plugins::proc_authorize
