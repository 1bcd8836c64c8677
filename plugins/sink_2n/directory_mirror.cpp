#include "directory_mirror.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

using namespace Poco::Data::Keywords;

namespace lpr::plugins::sink_2n {

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Upper case, spaces removed: how the device compares plates (simulator README; unconfirmed
// for real devices), kept beside the plate so that a local lookup can use an index.
std::string normalisePlate(const std::string& plate) {
  std::string out;
  for (char c : plate) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string stringOr(const Poco::JSON::Object::Ptr& object, const std::string& key,
                     const std::string& fallback) {
  if (!object || !object->has(key) || object->get(key).isEmpty()) return fallback;
  return object->get(key).toString();
}

std::uint64_t unsignedOr(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  if (!object || !object->has(key)) return 0;
  try {
    const auto value = object->get(key).convert<Poco::Int64>();
    return value < 0 ? 0 : static_cast<std::uint64_t>(value);
  } catch (const Poco::Exception&) {
    return 0;
  }
}

bool boolOr(const Poco::JSON::Object::Ptr& object, const std::string& key, bool fallback) {
  if (!object || !object->has(key)) return fallback;
  try {
    return object->get(key).convert<bool>();
  } catch (const Poco::Exception&) {
    return fallback;
  }
}

// One entry of a query reply → the user, or nullopt for a tombstone.
std::optional<MirroredUser> parseEntry(const Poco::JSON::Object::Ptr& entry) {
  if (boolOr(entry, "deleted", false)) return std::nullopt;
  MirroredUser user;
  user.uuid = stringOr(entry, "uuid", "");
  user.name = stringOr(entry, "name", "");
  user.owner = stringOr(entry, "owner", "");
  user.timestamp = unsignedOr(entry, "timestamp");
  Poco::JSON::Object::Ptr access = entry->getObject("access");
  user.plates = DirectoryMirror::splitPlates(stringOr(access, "licensePlates", ""));
  user.validFrom = stringOr(access, "validFrom", "0");
  user.validTo = stringOr(access, "validTo", "0");
  if (Poco::JSON::Array::Ptr points = access ? access->getArray("accessPoints") : nullptr) {
    for (std::size_t i = 0; i < points->size(); ++i) {
      Poco::JSON::Object::Ptr point = points->getObject(i);
      MirroredAccessPoint ap;
      ap.enabled = boolOr(point, "enabled", true);
      ap.profiles = stringOr(point, "profiles", "");
      user.accessPoints.push_back(ap);
    }
  }
  return user;
}

std::int64_t toMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void removeUser(Poco::Data::Session& s, std::string uuid) {
  s << "DELETE FROM plates WHERE uuid = ?", use(uuid), now;
  s << "DELETE FROM access_points WHERE uuid = ?", use(uuid), now;
  s << "DELETE FROM users WHERE uuid = ?", use(uuid), now;
}

void insertUser(Poco::Data::Session& s, const MirroredUser& user) {
  std::string uuid = user.uuid, name = user.name, owner = user.owner;
  std::string validFrom = user.validFrom, validTo = user.validTo;
  Poco::Int64 timestamp = static_cast<Poco::Int64>(user.timestamp);
  s << "INSERT INTO users(uuid, name, owner, valid_from, valid_to, timestamp)"
       " VALUES(?, ?, ?, ?, ?, ?)",
      use(uuid), use(name), use(owner), use(validFrom), use(validTo), use(timestamp), now;
  for (std::size_t i = 0; i < user.plates.size(); ++i) {
    int position = static_cast<int>(i);
    std::string plate = user.plates[i];
    std::string normalised = normalisePlate(plate);
    s << "INSERT INTO plates(uuid, position, plate, normalised) VALUES(?, ?, ?, ?)", use(uuid),
        use(position), use(plate), use(normalised), now;
  }
  for (std::size_t i = 0; i < user.accessPoints.size(); ++i) {
    int ap = static_cast<int>(i);
    int enabled = user.accessPoints[i].enabled ? 1 : 0;
    std::string profiles = user.accessPoints[i].profiles;
    s << "INSERT INTO access_points(uuid, ap, enabled, profiles) VALUES(?, ?, ?, ?)", use(uuid),
        use(ap), use(enabled), use(profiles), now;
  }
}

void appendToOrder(Poco::Data::Session& s, std::string uuid) {
  s << "INSERT OR REPLACE INTO directory_order(uuid, position)"
       " SELECT ?, COALESCE(MAX(position) + 1, 0) FROM directory_order",
      use(uuid), now;
}

}  // namespace

std::string toString(DirectorySyncResult::Kind kind) {
  switch (kind) {
    case DirectorySyncResult::Kind::Full:
      return "full";
    case DirectorySyncResult::Kind::Incremental:
      return "incremental";
    case DirectorySyncResult::Kind::Failed:
      return "failed";
  }
  return "?";
}

const std::vector<std::string>& DirectoryMirror::queriedFields() {
  // Named fields, not "all": the mirror keeps no PINs, cards or codes it has no use for, and a
  // model that lacks one (IP Uni has no licensePlates) simply leaves it out of the reply.
  static const std::vector<std::string> fields = {"name",
                                                  "owner",
                                                  "access.licensePlates",
                                                  "access.validFrom",
                                                  "access.validTo",
                                                  "access.accessPoints"};
  return fields;
}

std::vector<std::string> DirectoryMirror::splitPlates(const std::string& licensePlates) {
  // Comma separated: the simulator's reading of the web UI's help text (unconfirmed, §5).
  std::vector<std::string> plates;
  std::stringstream in(licensePlates);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) plates.push_back(item);
  }
  return plates;
}

DirectoryMirror::DirectoryMirror(DirectoryMirrorOptions options)
    : options_(std::move(options)),
      log_(options_.logger ? *options_.logger : Poco::Logger::get("lpr.2n.directory_mirror")) {
  client_ = std::make_unique<TwoNClient>(options_.client);
  if (!options_.wallClock) options_.wallClock = [] { return std::chrono::system_clock::now(); };

  Poco::Data::SQLite::Connector::registerConnector();
  const Poco::Path dir = Poco::Path(options_.databasePath).parent();
  if (!dir.toString().empty()) Poco::File(dir).createDirectories();
  session_ = std::make_unique<Poco::Data::Session>("SQLite", options_.databasePath);
  Poco::Data::Session& s = *session_;
  // As the event store: WAL so that a reader (a local decision) never waits for a sync, and a
  // busy timeout for the moment another connection holds the write lock.
  s << "PRAGMA journal_mode=WAL", now;
  s << "PRAGMA busy_timeout=10000", now;
  s << "PRAGMA synchronous=NORMAL", now;
  s << "CREATE TABLE IF NOT EXISTS users ("
       " uuid TEXT PRIMARY KEY,"
       " name TEXT NOT NULL,"
       " owner TEXT NOT NULL,"
       " valid_from TEXT NOT NULL,"
       " valid_to TEXT NOT NULL,"
       " timestamp INTEGER NOT NULL)",
      now;
  s << "CREATE TABLE IF NOT EXISTS plates ("
       " uuid TEXT NOT NULL,"
       " position INTEGER NOT NULL,"
       " plate TEXT NOT NULL,"
       " normalised TEXT NOT NULL,"
       " PRIMARY KEY(uuid, position))",
      now;
  s << "CREATE INDEX IF NOT EXISTS plates_normalised ON plates(normalised)", now;
  s << "CREATE TABLE IF NOT EXISTS access_points ("
       " uuid TEXT NOT NULL,"
       " ap INTEGER NOT NULL,"
       " enabled INTEGER NOT NULL,"
       " profiles TEXT NOT NULL,"
       " PRIMARY KEY(uuid, ap))",
      now;
  s << "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", now;
  s << "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1')", now;
  // Directory order (the first matching entry wins, §7): the order of the device's query
  // answer; entries added later by an incremental sync go last. A table of its own so that a
  // mirror written before it existed still opens; such a mirror is resynced in full once.
  s << "CREATE TABLE IF NOT EXISTS directory_order ("
       " uuid TEXT PRIMARY KEY,"
       " position INTEGER NOT NULL)",
      now;
  Poco::Int64 users = 0, ordered = 0;
  s << "SELECT COUNT(*) FROM users", into(users), now;
  s << "SELECT COUNT(*) FROM directory_order", into(ordered), now;
  if (users != ordered) s << "DELETE FROM meta WHERE key = 'series'", now;
}

DirectoryMirror::~DirectoryMirror() = default;

std::string DirectoryMirror::meta(const std::string& key) const {
  std::string k = key;
  Poco::Nullable<std::string> value;
  *session_ << "SELECT value FROM meta WHERE key = ?", use(k), into(value), now;
  return value.isNull() ? std::string() : value.value();
}

void DirectoryMirror::setMeta(const std::string& key, const std::string& value) {
  std::string k = key, v = value;
  *session_ << "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", use(k), use(v), now;
}

DirectorySyncResult DirectoryMirror::syncNow() {
  std::lock_guard lock(mutex_);
  DirectorySyncResult result;
  const std::string storedSeries = meta("series");
  const std::string storedTimestamp = meta("timestamp");

  auto query = [&](const std::string& series, std::uint64_t since) {
    Poco::JSON::Object body;
    if (!series.empty()) body.set("series", series);
    Poco::JSON::Array fields;
    for (const auto& field : queriedFields()) fields.add(field);
    body.set("fields", fields);
    Poco::JSON::Object iterator;
    iterator.set("timestamp", since);
    body.set("iterator", iterator);
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(body, text);
    TwoNReply reply = client_->postJson("/api/dir/query", text.str());
    if (reply.failure == TwoNReply::Failure::Tls) {
      // The first handshake after a device restart can fail: the client offers to resume a TLS
      // session the device forgot (seen with the simulator: "dh key too small"). The client has
      // dropped that connection; one more try on a fresh one settles it.
      reply = client_->postJson("/api/dir/query", text.str());
    }
    return reply;
  };

  bool full = storedSeries.empty();
  std::string askedSeries = storedSeries;
  const std::uint64_t since =
      full ? 0 : std::stoull(storedTimestamp.empty() ? "0" : storedTimestamp);
  TwoNReply reply = query(storedSeries, since);
  if (reply.ok() && reply.result && !full && stringOr(reply.result, "series", "") != storedSeries) {
    // Another series: the device's directory was reset, the stored timestamps mean nothing
    // there (the device answers no entries). Start over in the series it named.
    log_.information("2N directory series changed (%s → %s); full resync", storedSeries,
                     stringOr(reply.result, "series", ""));
    full = true;
    askedSeries = stringOr(reply.result, "series", "");
    reply = query(askedSeries, 0);
  }
  if (!reply.ok() || !reply.result) {
    result.error = reply.answered() ? reply.summary() : reply.detail;
    if (reply.ok()) result.error = "directory query answered without a result";
    log_.warning("2N directory sync failed url=%s: %s", client_->baseUrl(), result.error);
    return result;
  }
  result.series = stringOr(reply.result, "series", "");
  result.timestamp = unsignedOr(reply.result, "timestamp");
  if (full && !storedSeries.empty() && result.series != askedSeries) {
    // Reset again between the two queries: the reply holds no entries of the new series, and
    // applying it would empty the mirror. Leave the mirror as it is; the next sync starts over.
    result.error = "directory series changed again during the resync";
    log_.warning("2N directory sync failed url=%s: %s", client_->baseUrl(), result.error);
    return result;
  }

  std::vector<std::pair<std::string, std::optional<MirroredUser>>> changes;
  if (Poco::JSON::Array::Ptr entries = reply.result->getArray("users")) {
    for (std::size_t i = 0; i < entries->size(); ++i) {
      Poco::JSON::Object::Ptr entry = entries->getObject(i);
      if (!entry) continue;
      const std::string uuid = stringOr(entry, "uuid", "");
      if (uuid.empty()) continue;
      changes.emplace_back(uuid, parseEntry(entry));
      result.timestamp = std::max(result.timestamp, unsignedOr(entry, "timestamp"));
    }
  }

  Poco::Data::Session& s = *session_;
  try {
    s.begin();
    std::vector<std::string> before;
    s << "SELECT uuid FROM users", into(before), now;
    std::set<std::string> present(before.begin(), before.end());
    if (full) {
      s << "DELETE FROM plates", now;
      s << "DELETE FROM access_points", now;
      s << "DELETE FROM users", now;
      s << "DELETE FROM directory_order", now;
      std::set<std::string> kept;
      for (const auto& [uuid, user] : changes) {
        if (!user) continue;  // a tombstone: nothing to remove from an empty mirror
        insertUser(s, *user);
        appendToOrder(s, uuid);
        kept.insert(uuid);
        ++result.changed;
      }
      for (const auto& uuid : present) result.removed += kept.count(uuid) == 0 ? 1 : 0;
    } else {
      for (const auto& [uuid, user] : changes) {
        removeUser(s, uuid);
        if (user) {
          insertUser(s, *user);
          // An updated entry keeps its place [UNCONFIRMED for real devices]; a new one goes last.
          if (present.insert(uuid).second) appendToOrder(s, uuid);
          ++result.changed;
        } else {
          std::string gone = uuid;
          s << "DELETE FROM directory_order WHERE uuid = ?", use(gone), now;
          if (present.erase(uuid) != 0) ++result.removed;
        }
      }
    }
    setMeta("series", result.series);
    setMeta("timestamp", std::to_string(result.timestamp));
    setMeta("last_confirmed_fresh_ms", std::to_string(toMillis(options_.wallClock())));
    Poco::Int64 count = 0;
    s << "SELECT COUNT(*) FROM users", into(count), now;
    result.users = static_cast<std::size_t>(count);
    s.commit();
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    result = DirectorySyncResult{};
    result.error = "cannot write the mirror: " + e.displayText();
    log_.error("2N directory sync failed: %s", result.error);
    return result;
  }
  result.kind = full ? DirectorySyncResult::Kind::Full : DirectorySyncResult::Kind::Incremental;
  log_.debug("2N directory %s sync: %z changed, %z removed, %z users, series=%s timestamp=%Lu",
             toString(result.kind), result.changed, result.removed, result.users, result.series,
             static_cast<Poco::UInt64>(result.timestamp));
  return result;
}

std::vector<MirroredUser> DirectoryMirror::users() const {
  std::lock_guard lock(mutex_);
  Poco::Data::Session& s = *session_;
  std::vector<std::string> uuids, names, owners, froms, tos;
  std::vector<Poco::Int64> stamps;
  s << "SELECT uuid, name, owner, valid_from, valid_to, timestamp FROM users ORDER BY uuid",
      into(uuids), into(names), into(owners), into(froms), into(tos), into(stamps), now;
  std::vector<MirroredUser> out(uuids.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < uuids.size(); ++i) {
    out[i].uuid = uuids[i];
    out[i].name = names[i];
    out[i].owner = owners[i];
    out[i].validFrom = froms[i];
    out[i].validTo = tos[i];
    out[i].timestamp = static_cast<std::uint64_t>(stamps[i]);
    index[uuids[i]] = i;
  }
  std::vector<std::string> plateUuids, plates;
  s << "SELECT uuid, plate FROM plates ORDER BY uuid, position", into(plateUuids), into(plates),
      now;
  for (std::size_t i = 0; i < plateUuids.size(); ++i) {
    out[index.at(plateUuids[i])].plates.push_back(plates[i]);
  }
  std::vector<std::string> apUuids, profiles;
  std::vector<int> enabled;
  s << "SELECT uuid, enabled, profiles FROM access_points ORDER BY uuid, ap", into(apUuids),
      into(enabled), into(profiles), now;
  for (std::size_t i = 0; i < apUuids.size(); ++i) {
    out[index.at(apUuids[i])].accessPoints.push_back({enabled[i] != 0, profiles[i]});
  }
  return out;
}

std::optional<std::string> DirectoryMirror::userName(const std::string& uuid) const {
  std::lock_guard lock(mutex_);
  std::string key = uuid;
  Poco::Nullable<std::string> name;
  *session_ << "SELECT name FROM users WHERE uuid = ?", into(name), use(key), now;
  if (name.isNull()) return std::nullopt;
  return name.value();
}

std::optional<std::chrono::system_clock::time_point> DirectoryMirror::lastConfirmedFresh() const {
  std::lock_guard lock(mutex_);
  const std::string ms = meta("last_confirmed_fresh_ms");
  if (ms.empty()) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(std::stoll(ms)));
}

std::string DirectoryMirror::series() const {
  std::lock_guard lock(mutex_);
  return meta("series");
}

std::uint64_t DirectoryMirror::timestamp() const {
  std::lock_guard lock(mutex_);
  const std::string value = meta("timestamp");
  return value.empty() ? 0 : std::stoull(value);
}

}  // namespace lpr::plugins::sink_2n
