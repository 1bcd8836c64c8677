#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace lpr {

// An IANA time zone ("Europe/Prague") from the box's tz database (Debian's tzdata, read by
// Howard Hinnant's date library): a site's local time with its daylight-saving rules, whatever
// zone the box itself runs in (often UTC on an edge box or in a container).
class NamedZone {
 public:
  // nullopt when the name is not a zone of the tz database (or there is no tz database).
  static std::optional<NamedZone> find(std::string_view name);

  const std::string& name() const { return name_; }
  // The zone's UTC offset at `at`, daylight saving included.
  std::chrono::minutes offsetAt(std::chrono::system_clock::time_point at) const;
  // The UTC time of a local wall-clock time (tm_year.. tm_sec). A time the clocks skip (the
  // spring change) is read with the offset before the change; a time they repeat (autumn),
  // as its first occurrence.
  std::chrono::system_clock::time_point toUtc(const std::tm& local) const;

 private:
  NamedZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}

  const date::time_zone* zone_;  // owned by the library's database, which lives to the end
  std::string name_;
};

}  // namespace lpr
