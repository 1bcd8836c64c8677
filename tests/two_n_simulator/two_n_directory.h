#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lpr::testing {

// How a write with a bad field value is refused.
enum class DirectoryErrorStyle {
  // success:true, and the entry carries "errors":[{"code":"EDIR_FIELD_VALUE_ERROR","param":
  // "access.licensePlates",...}] while the other entries of the batch are applied: what 2N's own
  // HTTP API test suite expects of the device.
  PerEntry,
  // The whole request fails with error 12 naming the field, and nothing is applied.
  Envelope,
};

struct DirectoryLimits {
  std::size_t maxPlates = 20;       // per user
  std::size_t maxPlateLength = 10;  // characters, spaces not counted
  std::size_t capacity = 10000;     // live entries plus tombstones
  DirectoryErrorStyle errorStyle = DirectoryErrorStyle::PerEntry;
};

// Whether a plate or a user may pass an access point now, decided from the directory alone.
struct AccessCheck {
  bool userFound = false;
  std::string uuid;  // of the user, empty when none
  std::string name;
  bool valid = false;
  // Empty when valid; else "unknownCredential", "invalidTime" or "apDisabled".
  std::string reason;
};

// The device directory (2n-http-api.md §5): entries shaped like /api/dir/template (an intercom's),
// one change counter ("timestamp") per series, deletions kept as tombstones so that incremental
// queries report them. Not thread-safe: the simulator serialises calls.
//
// Writes take the JSON object the device takes ({"users":[...]}, {"owner":..}) and return the
// `result` object of the reply; a request refused as a whole throws TwoNError.
class TwoNDirectory {
 public:
  explicit TwoNDirectory(DirectoryLimits limits = {});

  // One entry with every field at its default (what /api/dir/template returns in users[0]).
  static Poco::JSON::Object::Ptr templateEntry();

  Poco::JSON::Object::Ptr create(const Poco::JSON::Object::Ptr& request, bool force);
  Poco::JSON::Object::Ptr update(const Poco::JSON::Object::Ptr& request);
  Poco::JSON::Object::Ptr remove(const Poco::JSON::Object::Ptr& request);
  Poco::JSON::Object::Ptr get(const Poco::JSON::Object::Ptr& request) const;
  Poco::JSON::Object::Ptr query(const Poco::JSON::Object::Ptr& request) const;

  // Starts a new series (a directory reset): the counter restarts, tombstones are gone, and the
  // entries are either dropped or kept with fresh timestamps. Clients must resync fully.
  void newSeries(bool keepEntries);

  const std::string& series() const { return series_; }
  std::uint64_t timestamp() const { return counter_; }  // highest timestamp handed out
  void setLimits(const DirectoryLimits& limits) { limits_ = limits; }
  const DirectoryLimits& limits() const { return limits_; }

  // The first live entry whose access.licensePlates holds the plate (spaces ignored, case
  // ignored), checked for validity at `nowUnix` and for access point `ap` (0 entry, 1 exit).
  AccessCheck checkPlate(const std::string& plate, int ap, std::int64_t nowUnix) const;
  AccessCheck checkUser(const std::string& uuid, int ap, std::int64_t nowUnix) const;

  // Full copies of the entries in directory order, with uuid, deleted and timestamp.
  std::vector<Poco::JSON::Object::Ptr> entries(bool includeDeleted) const;
  std::size_t liveCount() const;

  // Upper case, spaces removed: how plates are compared.
  static std::string normalisePlate(const std::string& plate);
  static bool isUuid(const std::string& text);

 private:
  struct Entry {
    std::string uuid;
    Poco::JSON::Object::Ptr data;  // template fields (without uuid, deleted, timestamp)
    bool deleted = false;
    std::uint64_t timestamp = 0;
    std::vector<std::string> plates;  // normalised, for matching
  };
  struct EntryError {
    std::string code;  // EDIR_...
    std::string param;
    std::string description;
  };

  // Merges `source` into `target` following the template's shape; appends what is wrong.
  // `target` by value: Poco's SharedPtr hands out a const object through a const pointer.
  void merge(Poco::JSON::Object::Ptr target, const Poco::JSON::Object::Ptr& source,
             const Poco::JSON::Object::Ptr& shape, const std::string& path,
             std::vector<EntryError>& errors) const;
  void checkValue(const std::string& path, const Poco::Dynamic::Var& value,
                  std::vector<EntryError>& errors) const;
  Poco::JSON::Object::Ptr render(const Entry& entry, const Poco::JSON::Array::Ptr& fields,
                                 bool fieldsGiven) const;
  Poco::JSON::Object::Ptr entryErrors(const std::string& uuid,
                                      const std::vector<EntryError>& errors) const;
  // Envelope style: the first entry error becomes error 12 for the whole request.
  void refuseIfEnvelope(const std::vector<EntryError>& errors) const;
  // What a batch in envelope style goes back to when one entry is refused.
  using Snapshot = std::optional<std::pair<std::vector<Entry>, std::uint64_t>>;
  Snapshot snapshot() const;
  void restore(const Snapshot& saved);
  Entry* find(const std::string& uuid);
  const Entry* find(const std::string& uuid) const;
  bool makeRoom();  // drops the oldest tombstone when full; false when there is none
  void reindex();
  AccessCheck check(const Entry& entry, int ap, std::int64_t nowUnix) const;
  static std::vector<std::string> platesOf(const Poco::JSON::Object::Ptr& data);

  DirectoryLimits limits_;
  std::string series_;
  std::uint64_t counter_ = 0;
  std::vector<Entry> entries_;                          // directory order
  std::unordered_map<std::string, std::size_t> index_;  // lower-case uuid -> position
};

}  // namespace lpr::testing
