#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "two_n_client.h"

namespace Poco {
class Logger;
namespace Data {
class Session;
}
}  // namespace Poco

namespace lpr::plugins::sink_2n {

// accessPoints[i] of a directory entry: [0] entry (ap 0), [1] exit (ap 1).
struct MirroredAccessPoint {
  bool enabled = true;
  std::string profiles;  // time profile references, as the device stores them ("" = none)
  bool operator==(const MirroredAccessPoint&) const = default;
};

// What a local access decision needs of one directory user.
struct MirroredUser {
  std::string uuid;
  std::string name;
  std::string owner;                // managing system ("ACOM", My2N, …), "" when none
  std::vector<std::string> plates;  // access.licensePlates split at commas, trimmed, in order
  std::string validFrom = "0";      // as the device stores them: Unix seconds, "0" = no limit
  std::string validTo = "0";
  std::vector<MirroredAccessPoint> accessPoints;
  std::uint64_t timestamp = 0;  // the device's change stamp of this entry
  bool operator==(const MirroredUser&) const = default;
};

struct DirectorySyncResult {
  enum class Kind { Full, Incremental, Failed };
  Kind kind = Kind::Failed;
  std::size_t changed = 0;  // entries written (added or updated)
  std::size_t removed = 0;  // users removed (tombstones; on a full sync, users the device lacks)
  std::size_t users = 0;    // users in the mirror afterwards
  std::string series;
  std::uint64_t timestamp = 0;
  std::string error;  // Failed only: what went wrong
};
std::string toString(DirectorySyncResult::Kind kind);

struct DirectoryMirrorOptions {
  TwoNClientOptions client;
  std::string databasePath;  // SQLite file, created when missing (its folder too)
  // UTC now, for last_confirmed_fresh; empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> wallClock;
  Poco::Logger* logger = nullptr;  // null: "lpr.2n.directory_mirror"
};

// A local SQLite copy (WAL) of one 2N device's directory, for a decision while the device cannot
// be asked. syncNow() brings it up to date with /api/dir/query (2n-http-api.md §5): incremental
// from the stored series + timestamp (changed entries replaced, `deleted` tombstones removed),
// or a full resync when there is no stored series or the device's series differs (directory or
// factory reset). After each successful sync it records the series, the highest timestamp and
// last_confirmed_fresh (UTC): the time the mirror was last known to equal the device.
//
// The copy survives restarts of the gateway: a later instance on the same file continues
// incrementally. Thread-safe; syncs are serialised. Nothing runs on its own: the caller decides
// when to sync (at start, on DirectoryChanged, periodically).
class DirectoryMirror {
 public:
  // Opens (creates) the database. Throws std::invalid_argument for unusable client options,
  // Poco::Exception when the database cannot be opened.
  explicit DirectoryMirror(DirectoryMirrorOptions options);
  ~DirectoryMirror();
  DirectoryMirror(const DirectoryMirror&) = delete;
  DirectoryMirror& operator=(const DirectoryMirror&) = delete;

  DirectorySyncResult syncNow();

  // Ordered by uuid. Directory order (first match wins) is kept in table directory_order:
  // the order of a full query answer, entries added incrementally last.
  std::vector<MirroredUser> users() const;
  std::optional<std::string> userName(const std::string& uuid) const;
  std::optional<std::chrono::system_clock::time_point> lastConfirmedFresh() const;
  std::string series() const;
  std::uint64_t timestamp() const;

  // The fields asked for in every query: only what a local decision needs.
  static const std::vector<std::string>& queriedFields();
  // "AB 123, CD456 ,," → {"AB 123", "CD456"}.
  static std::vector<std::string> splitPlates(const std::string& licensePlates);

 private:
  std::string meta(const std::string& key) const;  // mutex_ held
  void setMeta(const std::string& key, const std::string& value);

  DirectoryMirrorOptions options_;
  Poco::Logger& log_;
  std::unique_ptr<TwoNClient> client_;
  mutable std::mutex mutex_;
  std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace lpr::plugins::sink_2n
