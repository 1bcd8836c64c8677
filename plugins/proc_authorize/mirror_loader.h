#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/access_model.h"

namespace lpr::plugins::proc_authorize {

// What identifies one state of the mirror: a change of any of these means a sync happened.
struct MirrorStamp {
  std::string series;
  std::string timestamp;
  std::string lastConfirmedFreshMs;
  bool operator==(const MirrorStamp&) const = default;
};

struct MirrorSnapshot {
  MirrorStamp stamp;
  std::vector<lpr::access::DirectoryUser> users;             // directory order
  std::optional<lpr::access::TimePoint> lastConfirmedFresh;  // nullopt: never synced
};

// Reads sink_2n's directory mirror (see sink_2n/directory_mirror.cpp for the schema) read-only;
// the file is written by sink_2n's own connection, WAL lets both work at once. A missing file,
// or one never synced, reads as no users and no freshness. Throws Poco::Exception when the file
// exists but cannot be read.
class MirrorLoader {
 public:
  explicit MirrorLoader(std::string path);
  const std::string& path() const { return path_; }
  // Cheap: the meta rows only; nullopt when there is no file yet.
  std::optional<MirrorStamp> stamp() const;
  MirrorSnapshot load() const;

 private:
  std::string path_;
};

// "1700000000" → that second; "0", "" or not a number → no limit.
std::optional<lpr::access::TimePoint> parseUnixSeconds(const std::string& text);

}  // namespace lpr::plugins::proc_authorize
