#include "mirror_loader.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/File.h>

#include <map>
#include <sstream>

using namespace Poco::Data::Keywords;

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

namespace {

std::optional<Poco::Data::Session> open(const std::string& path) {
  // Opening would create a missing file: leave creating it to sink_2n.
  if (path.empty() || !Poco::File(path).exists()) return std::nullopt;
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", path);
  s << "PRAGMA busy_timeout=5000", now;
  s << "PRAGMA query_only=1", now;  // this side never writes the mirror
  return s;
}

bool hasTable(Poco::Data::Session& s, const std::string& table) {
  std::string name = table;
  Poco::Int64 n = 0;
  s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", use(name), into(n),
      now;
  return n > 0;
}

std::string meta(Poco::Data::Session& s, const std::string& key) {
  std::string k = key;
  Poco::Nullable<std::string> value;
  s << "SELECT value FROM meta WHERE key = ?", use(k), into(value), now;
  return value.isNull() ? std::string() : value.value();
}

MirrorStamp readStamp(Poco::Data::Session& s) {
  return {meta(s, "series"), meta(s, "timestamp"), meta(s, "last_confirmed_fresh_ms")};
}

std::vector<std::string> splitIds(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    out.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return out;
}

std::vector<access::DirectoryUser> readUsers(Poco::Data::Session& s) {
  // A mirror written before directory_order existed has none; sink_2n resyncs it in full.
  const bool ordered = hasTable(s, "directory_order");
  std::vector<std::string> uuids, names, owners, froms, tos;
  s << (ordered ? "SELECT u.uuid, u.name, u.owner, u.valid_from, u.valid_to FROM users u"
                  " LEFT JOIN directory_order o ON o.uuid = u.uuid"
                  " ORDER BY o.position IS NULL, o.position, u.uuid"
                : "SELECT uuid, name, owner, valid_from, valid_to FROM users ORDER BY uuid"),
      into(uuids), into(names), into(owners), into(froms), into(tos), now;
  std::vector<access::DirectoryUser> users(uuids.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < uuids.size(); ++i) {
    users[i].uuid = uuids[i];
    users[i].name = names[i];
    users[i].owner = owners[i];
    users[i].validFrom = parseUnixSeconds(froms[i]);
    users[i].validTo = parseUnixSeconds(tos[i]);
    index[uuids[i]] = i;
  }
  std::vector<std::string> plateUuids, plates;
  s << "SELECT uuid, plate FROM plates ORDER BY uuid, position", into(plateUuids), into(plates),
      now;
  for (std::size_t i = 0; i < plateUuids.size(); ++i) {
    if (auto it = index.find(plateUuids[i]); it != index.end()) {
      users[it->second].plates.push_back(plates[i]);
    }
  }
  std::vector<std::string> apUuids, profiles;
  std::vector<int> aps, enabled;
  s << "SELECT uuid, ap, enabled, profiles FROM access_points", into(apUuids), into(aps),
      into(enabled), into(profiles), now;
  for (std::size_t i = 0; i < apUuids.size(); ++i) {
    auto it = index.find(apUuids[i]);
    if (it == index.end() || aps[i] < 0 || aps[i] >= static_cast<int>(access::kAccessPoints)) {
      continue;
    }
    users[it->second].accessPoints[static_cast<std::size_t>(aps[i])] = {enabled[i] != 0,
                                                                        splitIds(profiles[i])};
  }
  return users;
}

}  // namespace

std::optional<access::TimePoint> parseUnixSeconds(const std::string& text) {
  try {
    std::size_t used = 0;
    const long long seconds = std::stoll(text, &used);
    if (used != text.size() || seconds <= 0) return std::nullopt;
    return access::TimePoint(std::chrono::seconds(seconds));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

MirrorLoader::MirrorLoader(std::string path) : path_(std::move(path)) {}

std::optional<MirrorStamp> MirrorLoader::stamp() const {
  auto s = open(path_);
  if (!s || !hasTable(*s, "meta")) return std::nullopt;
  return readStamp(*s);
}

MirrorSnapshot MirrorLoader::load() const {
  MirrorSnapshot snapshot;
  auto s = open(path_);
  if (!s || !hasTable(*s, "meta")) return snapshot;
  // One read transaction: users, plates and meta of the same sync.
  s->begin();
  snapshot.stamp = readStamp(*s);
  if (!snapshot.stamp.lastConfirmedFreshMs.empty()) {
    snapshot.users = readUsers(*s);
    snapshot.lastConfirmedFresh = access::TimePoint(
        std::chrono::milliseconds(std::stoll(snapshot.stamp.lastConfirmedFreshMs)));
  }
  s->commit();
  return snapshot;
}

}  // namespace lpr::plugins::proc_authorize
