#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access_decision.h"
#include "config/config_reader.h"
#include "util/named_zone.h"

namespace lpr::plugins::proc_authorize {

struct AuthorizeSettings {
  std::string mirrorPath;  // empty: no directory, lists and policy only
  std::chrono::seconds maxStaleness = lpr::access::kDefaultMaxStaleness;
  lpr::access::FallbackPolicy policy = lpr::access::FallbackPolicy::Deny;
  std::chrono::seconds reloadInterval{5};
  // time_zone = system: the offset of each decision's moment from the C library's local time
  // (TZ, else /etc/localtime), daylight saving time included; time_zone = <tz database zone>:
  // from that zone's rules; time_zone = fixed: data.utcOffset.
  bool systemTimeZone = false;
  std::optional<NamedZone> zone;
  // Everything but the users: those come from the mirror.
  lpr::access::AccessData data;
};

// Reads and validates plugin.<id>.*; problems are recorded in `config`, each naming its key.
AuthorizeSettings readSettings(ConfigReader& config, const std::string& dataDirectory);

// "mon-fri 07:00-18:00, sat 08:00-12:00, holiday 09:00-10:00" → intervals; on a bad item,
// nullopt and `error` says what is wrong with which item.
std::optional<std::vector<lpr::access::ProfileInterval>> parseIntervals(std::string_view text,
                                                                        std::string& error);
// A list entry error of the access library starts with the field it is about (validFrom,
// scope.gates, ...); this is that field's name in the configuration and the API (valid_from).
std::string listEntryField(const std::string& error);

// UTC offset of the C library's local time (TZ, else /etc/localtime) at `at`, DST included.
std::chrono::minutes systemUtcOffset(lpr::access::TimePoint at);
// The local time's UTC offset for a decision at `at` as time_zone says; nullopt for fixed (the
// access data's own utcOffset).
std::optional<std::chrono::minutes> decisionUtcOffset(const AuthorizeSettings& settings,
                                                      lpr::access::TimePoint at);

// "2026-12-24" (that day) or "12-25" (every year).
std::optional<lpr::access::Holiday> parseHoliday(std::string_view text);

}  // namespace lpr::plugins::proc_authorize
