#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access_model.h"
#include "access/plate_match.h"

namespace lpr::access {

// What to answer when the directory mirror is too old to trust.
enum class FallbackPolicy { Deny, Allow };

std::string toString(FallbackPolicy policy);  // "deny" | "allow"
std::optional<FallbackPolicy> fallbackPolicyFromString(std::string_view text);

inline constexpr std::chrono::seconds kDefaultMaxStaleness = std::chrono::days(14);

// Everything the decision reads; build it once per directory sync and reuse it.
struct AccessData {
  std::vector<DirectoryUser> users;  // directory order: the first match wins
  std::vector<TimeProfile> profiles;
  std::vector<Holiday> holidays;
  std::vector<ListEntry> list;  // the gateway's allow and deny entries
  DeviationMode deviation = DeviationMode::None;
  // Device local time = UTC + utcOffset (profiles and holidays are in local time).
  std::chrono::minutes utcOffset{0};
};

struct MirrorFreshness {
  // When the mirror was last known to equal the device; nullopt: never synced.
  std::optional<TimePoint> lastConfirmedFresh;
  std::chrono::seconds maxStaleness = kDefaultMaxStaleness;
  FallbackPolicy policy = FallbackPolicy::Deny;
};

struct DecisionRequest {
  std::string plate;  // normalised again here, so raw text works too
  int accessPoint = kEntry;
  TimePoint at;      // UTC
  std::string gate;  // for list scopes; "" matches only entries without a gate scope
  // The offset in force at `at` when the caller knows the zone's rules (daylight saving time);
  // nullopt: AccessData::utcOffset.
  std::optional<std::chrono::minutes> utcOffset;
};

// The fields of lpr::Decision that a local decision fills.
struct AccessDecision {
  bool valid = false;
  std::optional<std::string> uuid;      // the directory user; never for list or policy
  std::optional<std::string> userName;  // the user's or the list entry's name
  std::string decidedBy;                // "list" | "policy" | "local_fallback"
  std::string reason;
};

inline constexpr const char* kByList = "list";
inline constexpr const char* kByPolicy = "policy";
inline constexpr const char* kByLocalFallback = "local_fallback";

// The gateway's local decision, in this order (a read without a plate, or for an access point
// other than 0 or 1, is refused first, decided by "local_fallback"):
//  1. a matching deny list entry, valid now and in scope, denies;
//  2. else a matching allow entry grants (lists do not depend on the device, so a stale mirror
//     does not void them);
//  3. else, with the mirror stale (never synced, or last fresh more than maxStaleness ago), the
//     fallback policy decides: an old copy may still hold users the device has long removed;
//  4. else the first directory user holding the plate decides: validity window, access point
//     enabled, time profiles (§7);
//  5. else "plate not in directory".
AccessDecision decide(const DecisionRequest& request, const AccessData& data,
                      const MirrorFreshness& freshness);

}  // namespace lpr::access
