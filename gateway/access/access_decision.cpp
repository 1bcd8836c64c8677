#include "access/access_decision.h"

#include <algorithm>
#include <cstdio>

#include "access/time_profile.h"

namespace lpr::access {
namespace {

AccessDecision refused(const char* decidedBy, std::string reason) {
  AccessDecision d;
  d.decidedBy = decidedBy;
  d.reason = std::move(reason);
  return d;
}

bool inScope(const ListScope& scope, const DecisionRequest& request) {
  return (scope.accessPoints.empty() || scope.accessPoints.count(request.accessPoint) != 0) &&
         (scope.gates.empty() || scope.gates.count(request.gate) != 0);
}

const ListEntry* findListEntry(const std::vector<ListEntry>& list, ListAction action,
                               const std::string& plate, const DecisionRequest& request) {
  const auto it = std::find_if(list.begin(), list.end(), [&](const ListEntry& e) {
    return e.action == action && normalizePlate(e.plate) == plate &&
           withinValidity(e.validFrom, e.validTo, request.at) && inScope(e.scope, request);
  });
  return it == list.end() ? nullptr : &*it;
}

AccessDecision fromList(const ListEntry& entry) {
  AccessDecision d;
  d.valid = entry.action == ListAction::Allow;
  if (!entry.name.empty()) {
    d.userName = entry.name;
  }
  d.decidedBy = kByList;
  d.reason = d.valid ? "on allow list" : "on deny list";
  return d;
}

std::string formatDuration(std::chrono::seconds duration) {
  const long long s = duration.count();
  if (s % 86400 == 0) {
    return std::to_string(s / 86400) + (s == 86400 ? " day" : " days");
  }
  if (s % 3600 == 0) {
    return std::to_string(s / 3600) + " h";
  }
  return std::to_string(s) + " s";
}

// Empty when the mirror is fresh enough; else why it is not.
std::optional<std::string> staleness(const MirrorFreshness& freshness, TimePoint at) {
  if (!freshness.lastConfirmedFresh) {
    return "directory mirror never synced";
  }
  if (at - *freshness.lastConfirmedFresh > freshness.maxStaleness) {
    return "directory mirror stale since " + formatUtcSeconds(*freshness.lastConfirmedFresh) +
           " (older than " + formatDuration(freshness.maxStaleness) + ")";
  }
  return std::nullopt;
}

std::string formatDate(const std::chrono::year_month_day& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

std::string joinQuoted(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    out += (out.empty() ? "'" : ", '") + id + "'";
  }
  return out;
}

// Why the user may not pass now, or "" when they may.
std::string userRefusal(const DirectoryUser& user, const DecisionRequest& request,
                        const AccessData& data) {
  if (!withinValidity(user.validFrom, std::nullopt, request.at)) {
    return "outside validity (validFrom " + formatUtcSeconds(*user.validFrom) + ")";
  }
  if (!withinValidity(std::nullopt, user.validTo, request.at)) {
    return "outside validity (validTo " + formatUtcSeconds(*user.validTo) + ")";
  }
  const AccessPointRule& rule = user.accessPoints[static_cast<std::size_t>(request.accessPoint)];
  if (!rule.enabled) {
    return "access point " + std::to_string(request.accessPoint) + " disabled";
  }
  const std::chrono::minutes offset = request.utcOffset.value_or(data.utcOffset);
  const ProfileCheck check =
      checkProfiles(rule.profileIds, data.profiles, data.holidays, request.at, offset);
  if (check.active) {
    return "";
  }
  if (check.unknownIds.size() == rule.profileIds.size()) {
    return "unknown time profile " + joinQuoted(check.unknownIds);
  }
  if (check.holiday) {
    return "holiday " + formatDate(toLocalTime(request.at, offset).date) +
           ": outside time profiles";
  }
  return "outside time profiles";
}

std::string deviationNote(PlateMatch kind) {
  switch (kind) {
    case PlateMatch::DeviationAtStart:
      return " (character deviation at start)";
    case PlateMatch::DeviationAtEnd:
      return " (character deviation at end)";
    default:
      return "";
  }
}

}  // namespace

std::string toString(FallbackPolicy policy) {
  return policy == FallbackPolicy::Allow ? "allow" : "deny";
}

std::optional<FallbackPolicy> fallbackPolicyFromString(std::string_view text) {
  if (text == "deny") {
    return FallbackPolicy::Deny;
  }
  if (text == "allow") {
    return FallbackPolicy::Allow;
  }
  return std::nullopt;
}

AccessDecision decide(const DecisionRequest& request, const AccessData& data,
                      const MirrorFreshness& freshness) {
  const std::string plate = normalizePlate(request.plate);
  if (plate.empty()) {
    return refused(kByLocalFallback, "no plate");
  }
  if (request.accessPoint != kEntry && request.accessPoint != kExit) {
    return refused(kByLocalFallback, "access point " + std::to_string(request.accessPoint) +
                                         " unknown (0 entry, 1 exit)");
  }
  for (ListAction action : {ListAction::Deny, ListAction::Allow}) {
    if (const ListEntry* entry = findListEntry(data.list, action, plate, request)) {
      return fromList(*entry);
    }
  }
  if (const auto stale = staleness(freshness, request.at)) {
    AccessDecision d;
    d.valid = freshness.policy == FallbackPolicy::Allow;
    d.decidedBy = kByPolicy;
    d.reason = *stale + "; fallback policy " + toString(freshness.policy);
    return d;
  }
  const auto match = findUser(data.users, plate, data.deviation);
  if (!match) {
    return refused(kByLocalFallback, "plate not in directory");
  }
  const DirectoryUser& user = data.users[match->userIndex];
  const std::string refusal = userRefusal(user, request, data);
  AccessDecision d;
  d.valid = refusal.empty();
  d.uuid = user.uuid;
  if (!user.name.empty()) {
    d.userName = user.name;
  }
  d.decidedBy = kByLocalFallback;
  d.reason = (d.valid ? std::string("valid") : refusal) + deviationNote(match->kind);
  return d;
}

}  // namespace lpr::access
