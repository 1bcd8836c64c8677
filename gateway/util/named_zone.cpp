#include "util/named_zone.h"

#include <date/tz.h>

#include <stdexcept>

namespace lpr {

std::optional<NamedZone> NamedZone::find(std::string_view name) {
  // Zone names are Area/Location or a few single words (UTC); anything else is not looked up.
  if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos ||
      name.front() == '/') {
    return std::nullopt;
  }
  try {
    return NamedZone(date::locate_zone(name), std::string(name));
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
}

std::chrono::minutes NamedZone::offsetAt(std::chrono::system_clock::time_point at) const {
  const date::sys_info info = zone_->get_info(date::floor<std::chrono::seconds>(at));
  return std::chrono::duration_cast<std::chrono::minutes>(info.offset);
}

std::chrono::system_clock::time_point NamedZone::toUtc(const std::tm& local) const {
  using namespace std::chrono;
  const date::local_days day{date::year{local.tm_year + 1900} /
                             date::month{static_cast<unsigned>(local.tm_mon + 1)} /
                             date::day{static_cast<unsigned>(local.tm_mday)}};
  const date::local_seconds wall =
      day + hours{local.tm_hour} + minutes{local.tm_min} + seconds{local.tm_sec};
  const date::local_info info = zone_->get_info(wall);
  // unique and ambiguous: the first offset; nonexistent: first is the offset before the gap.
  return system_clock::time_point(
      duration_cast<system_clock::duration>((wall - info.first.offset).time_since_epoch()));
}

}  // namespace lpr
