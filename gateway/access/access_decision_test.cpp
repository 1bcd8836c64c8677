#include "access/access_decision.h"

#include <gtest/gtest.h>

#include "access/access_test_support.h"

namespace lpr::access {
namespace {

using namespace std::chrono_literals;

using testing::utc;

const TimePoint kMonday10 = utc(2026, 3, 2, 10);  // a plain Monday, 10:00 UTC

DirectoryUser user(const char* uuid, const char* name, std::vector<std::string> plates) {
  DirectoryUser u;
  u.uuid = uuid;
  u.name = name;
  u.plates = std::move(plates);
  return u;
}

ListEntry entry(ListAction action, const char* plate, const char* name, ListScope scope = {}) {
  return ListEntry{action, plate, name, std::nullopt, std::nullopt, std::move(scope)};
}

class AccessDecisionTest : public ::testing::Test {
 protected:
  AccessDecisionTest() {
    using namespace std::chrono;
    DirectoryUser alice = user("u-alice", "Alice", {"AB123CD"});
    alice.validFrom = utc(2026, 1, 1);
    alice.validTo = utc(2026, 12, 31, 23, 59, 59);
    alice.accessPoints[kExit].enabled = false;
    DirectoryUser bob = user("u-bob", "Bob", {"XY 999"});
    bob.accessPoints[kEntry].profileIds = {"office"};
    DirectoryUser dora = user("u-dora", "Dora", {"DD4444"});
    dora.accessPoints[kEntry].profileIds = {"duty"};
    DirectoryUser ghost = user("u-ghost", "Ghost", {"GH0577"});
    ghost.accessPoints[kEntry].profileIds = {"gone"};
    DirectoryUser carol = user("u-carol", "Carol", {"ab 123 cd"});  // Alice's plate again
    data_.users = {alice, bob, dora, ghost, carol};

    TimeProfile office{"office", "Office hours", {}};
    for (int d = 0; d < 5; ++d) {
      office.intervals.push_back({static_cast<ProfileDay>(d), 7h, 18h});
    }
    TimeProfile duty = office;
    duty.id = "duty";
    duty.intervals.push_back({ProfileDay::Holiday, 8h, 12h});
    data_.profiles = {office, duty};
    data_.holidays = {{December / 25, std::nullopt}};
  }

  // A mirror confirmed an hour before the decision, unless a test says otherwise.
  AccessDecision decideAt(const std::string& plate, int ap, TimePoint at) {
    MirrorFreshness fresh = freshness_;
    if (!fresh.lastConfirmedFresh && !neverSynced_) {
      fresh.lastConfirmedFresh = at - 1h;
    }
    return decide({plate, ap, at, gate_, std::nullopt}, data_, fresh);
  }

  AccessData data_;
  MirrorFreshness freshness_;
  bool neverSynced_ = false;
  std::string gate_ = "gate1";
};

void expectDirectory(const AccessDecision& d, bool valid, const char* uuid, const char* name,
                     const std::string& reason) {
  EXPECT_EQ(d.valid, valid);
  EXPECT_EQ(d.uuid, std::optional<std::string>(uuid));
  EXPECT_EQ(d.userName, std::optional<std::string>(name));
  EXPECT_EQ(d.decidedBy, "local_fallback");
  EXPECT_EQ(d.reason, reason);
}

TEST_F(AccessDecisionTest, KnownUserIsGranted) {
  expectDirectory(decideAt("ab 123 cd", kEntry, kMonday10), true, "u-alice", "Alice", "valid");
}

TEST_F(AccessDecisionTest, ValidityEdges) {
  const TimePoint from = utc(2026, 1, 1);
  const TimePoint to = utc(2026, 12, 31, 23, 59, 59);
  const struct {
    TimePoint at;
    bool valid;
    const char* reason;
  } cases[] = {
      {from - 1s, false, "outside validity (validFrom 2026-01-01T00:00:00Z)"},
      {from, true, "valid"},
      {from + 1s, true, "valid"},
      {to - 1s, true, "valid"},
      {to, true, "valid"},
      {to + 1s, false, "outside validity (validTo 2026-12-31T23:59:59Z)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(formatUtcSeconds(c.at));
    expectDirectory(decideAt("AB123CD", kEntry, c.at), c.valid, "u-alice", "Alice", c.reason);
  }
}

TEST_F(AccessDecisionTest, DisabledAccessPointDenies) {
  expectDirectory(decideAt("AB123CD", kExit, kMonday10), false, "u-alice", "Alice",
                  "access point 1 disabled");
}

TEST_F(AccessDecisionTest, FirstMatchAmongDuplicatesDecides) {
  // Carol holds the same plate and may use the exit, but Alice comes first in the directory.
  const AccessDecision d = decideAt("AB123CD", kExit, kMonday10);
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.uuid, "u-alice");
  // Without Alice, Carol's entry is the first match.
  data_.users.erase(data_.users.begin());
  expectDirectory(decideAt("AB123CD", kExit, kMonday10), true, "u-carol", "Carol", "valid");
}

TEST_F(AccessDecisionTest, TimeProfileBoundaries) {
  const struct {
    TimePoint at;
    bool valid;
    const char* reason;
  } cases[] = {
      {utc(2026, 3, 2, 6, 59, 59), false, "outside time profiles"},
      {utc(2026, 3, 2, 7), true, "valid"},
      {utc(2026, 3, 2, 17, 59, 59), true, "valid"},
      {utc(2026, 3, 2, 18), false, "outside time profiles"},
      {utc(2026, 3, 7, 10), false, "outside time profiles"},  // Saturday
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(formatUtcSeconds(c.at));
    expectDirectory(decideAt("XY999", kEntry, c.at), c.valid, "u-bob", "Bob", c.reason);
  }
  // The exit has no profiles: always.
  expectDirectory(decideAt("XY999", kExit, utc(2026, 3, 7, 3)), true, "u-bob", "Bob", "valid");
}

TEST_F(AccessDecisionTest, ProfilesAreInDeviceLocalTime) {
  data_.utcOffset = 60min;  // 06:30 UTC is 07:30 on the device
  expectDirectory(decideAt("XY999", kEntry, utc(2026, 3, 2, 6, 30)), true, "u-bob", "Bob", "valid");
  data_.utcOffset = 0min;
  expectDirectory(decideAt("XY999", kEntry, utc(2026, 3, 2, 6, 30)), false, "u-bob", "Bob",
                  "outside time profiles");
  // The offset the caller gives for the moment (a zone's DST rules) wins over the fixed one.
  MirrorFreshness fresh = freshness_;
  fresh.lastConfirmedFresh = utc(2026, 3, 2, 6);
  DecisionRequest summer{"XY999", kEntry, utc(2026, 3, 2, 5, 30), gate_, 120min};
  expectDirectory(decide(summer, data_, fresh), true, "u-bob", "Bob", "valid");
}

TEST_F(AccessDecisionTest, Holidays) {
  const TimePoint christmas10 = utc(2026, 12, 25, 10);  // a Friday
  // Bob's profile has no Holiday row: closed although Friday 10:00 is office hours.
  expectDirectory(decideAt("XY999", kEntry, christmas10), false, "u-bob", "Bob",
                  "holiday 2026-12-25: outside time profiles");
  // Dora's profile has a Holiday row 08:00-12:00.
  expectDirectory(decideAt("DD4444", kEntry, christmas10), true, "u-dora", "Dora", "valid");
  expectDirectory(decideAt("DD4444", kEntry, utc(2026, 12, 25, 13)), false, "u-dora", "Dora",
                  "holiday 2026-12-25: outside time profiles");
  // The day after is a plain Saturday.
  expectDirectory(decideAt("DD4444", kEntry, utc(2026, 12, 26, 10)), false, "u-dora", "Dora",
                  "outside time profiles");
}

TEST_F(AccessDecisionTest, UnknownProfileFailsClosed) {
  expectDirectory(decideAt("GH0577", kEntry, kMonday10), false, "u-ghost", "Ghost",
                  "unknown time profile 'gone'");
}

TEST_F(AccessDecisionTest, PlateNotInDirectory) {
  const AccessDecision d = decideAt("ZZ0000", kEntry, kMonday10);
  EXPECT_FALSE(d.valid);
  EXPECT_FALSE(d.uuid);
  EXPECT_FALSE(d.userName);
  EXPECT_EQ(d.decidedBy, "local_fallback");
  EXPECT_EQ(d.reason, "plate not in directory");
}

TEST_F(AccessDecisionTest, CharacterDeviation) {
  const struct {
    DeviationMode mode;
    const char* read;
    bool found;
    const char* reason;
  } cases[] = {
      {DeviationMode::None, "B123CD", false, "plate not in directory"},
      {DeviationMode::FromStart, "B123CD", true, "valid (character deviation at start)"},
      {DeviationMode::FromEnd, "B123CD", false, "plate not in directory"},
      {DeviationMode::FromEnd, "AB123C", true, "valid (character deviation at end)"},
      {DeviationMode::Both, "XB123CD", true, "valid (character deviation at start)"},
      {DeviationMode::Both, "AB123CX", true, "valid (character deviation at end)"},
      {DeviationMode::Both, "XB123CX", false, "plate not in directory"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(toString(c.mode) + " " + c.read);
    data_.deviation = c.mode;
    const AccessDecision d = decideAt(c.read, kEntry, kMonday10);
    EXPECT_EQ(d.valid, c.found);
    EXPECT_EQ(d.uuid.has_value(), c.found);
    EXPECT_EQ(d.reason, c.reason);
  }
}

TEST_F(AccessDecisionTest, StaleMirrorFallsBackToPolicy) {
  const struct {
    std::optional<TimePoint> fresh;
    FallbackPolicy policy;
    const char* plate;
    bool valid;
    const char* decidedBy;
    const char* reason;
  } cases[] = {
      {kMonday10 - 14 * 24h - 1s, FallbackPolicy::Deny, "AB123CD", false, "policy",
       "directory mirror stale since 2026-02-16T09:59:59Z (older than 14 days); fallback policy "
       "deny"},
      {kMonday10 - 15 * 24h, FallbackPolicy::Allow, "ZZ0000", true, "policy",
       "directory mirror stale since 2026-02-15T10:00:00Z (older than 14 days); fallback policy "
       "allow"},
      {std::nullopt, FallbackPolicy::Deny, "AB123CD", false, "policy",
       "directory mirror never synced; fallback policy deny"},
      {std::nullopt, FallbackPolicy::Allow, "ZZ0000", true, "policy",
       "directory mirror never synced; fallback policy allow"},
      // exactly max_staleness old is still fresh: the directory decides
      {kMonday10 - 14 * 24h, FallbackPolicy::Allow, "ZZ0000", false, "local_fallback",
       "plate not in directory"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.reason);
    const AccessDecision d = decide({c.plate, kEntry, kMonday10, "gate1", std::nullopt}, data_,
                                    MirrorFreshness{c.fresh, kDefaultMaxStaleness, c.policy});
    EXPECT_EQ(d.valid, c.valid);
    EXPECT_EQ(d.decidedBy, c.decidedBy);
    EXPECT_EQ(d.reason, c.reason);
    if (d.decidedBy == "policy") {
      EXPECT_FALSE(d.uuid);
    }
  }
}

TEST_F(AccessDecisionTest, StalenessLimitIsConfigurable) {
  const MirrorFreshness oneHour{kMonday10 - 2h, 1h, FallbackPolicy::Deny};
  const AccessDecision d = decide({"AB123CD", kEntry, kMonday10, "", std::nullopt}, data_, oneHour);
  EXPECT_EQ(d.decidedBy, "policy");
  EXPECT_EQ(d.reason,
            "directory mirror stale since 2026-03-02T08:00:00Z (older than 1 h); fallback policy "
            "deny");
}

TEST_F(AccessDecisionTest, LocalDenyBeatsDirectoryGrantAndAllowEntries) {
  data_.list = {entry(ListAction::Allow, "AB123CD", "visitor"),
                entry(ListAction::Deny, "ab 123 cd", "stolen")};
  const AccessDecision d = decideAt("AB123CD", kEntry, kMonday10);
  EXPECT_FALSE(d.valid);
  EXPECT_FALSE(d.uuid);
  EXPECT_EQ(d.userName, "stolen");
  EXPECT_EQ(d.decidedBy, "list");
  EXPECT_EQ(d.reason, "on deny list");
}

TEST_F(AccessDecisionTest, ListsDecideEvenWithAStaleMirror) {
  data_.list = {entry(ListAction::Deny, "AB123CD", "stolen"),
                entry(ListAction::Allow, "ZZ 0000", "")};
  neverSynced_ = true;
  freshness_.policy = FallbackPolicy::Allow;
  const AccessDecision denied = decideAt("AB123CD", kEntry, kMonday10);
  EXPECT_FALSE(denied.valid);
  EXPECT_EQ(denied.decidedBy, "list");
  freshness_.policy = FallbackPolicy::Deny;
  const AccessDecision allowed = decideAt("ZZ0000", kEntry, kMonday10);
  EXPECT_TRUE(allowed.valid);
  EXPECT_FALSE(allowed.userName);  // the entry has no name
  EXPECT_EQ(allowed.decidedBy, "list");
  EXPECT_EQ(allowed.reason, "on allow list");
}

TEST_F(AccessDecisionTest, ListScopeAndValidity) {
  ListEntry expired = entry(ListAction::Allow, "ZZ0000", "expired");
  expired.validTo = kMonday10 - 1s;
  ListEntry notYet = entry(ListAction::Allow, "ZZ0000", "not yet");
  notYet.validFrom = kMonday10 + 1s;
  const struct {
    const char* what;
    ListEntry entry;
    int ap;
    const char* gate;
    bool applies;
  } cases[] = {
      {"no scope", entry(ListAction::Allow, "ZZ0000", "v"), kEntry, "gate1", true},
      {"exit only, entry read", entry(ListAction::Allow, "ZZ0000", "v", {{kExit}, {}}), kEntry,
       "gate1", false},
      {"exit only, exit read", entry(ListAction::Allow, "ZZ0000", "v", {{kExit}, {}}), kExit,
       "gate1", true},
      {"other gate", entry(ListAction::Allow, "ZZ0000", "v", {{}, {"gate2"}}), kEntry, "gate1",
       false},
      {"this gate", entry(ListAction::Allow, "ZZ0000", "v", {{}, {"gate1", "gate2"}}), kEntry,
       "gate1", true},
      {"gate scope, unknown gate", entry(ListAction::Allow, "ZZ0000", "v", {{}, {"gate1"}}), kEntry,
       "", false},
      {"gate right, ap wrong", entry(ListAction::Allow, "ZZ0000", "v", {{kEntry}, {"gate1"}}),
       kExit, "gate1", false},
      {"expired", expired, kEntry, "gate1", false},
      {"not yet valid", notYet, kEntry, "gate1", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    data_.list = {c.entry};
    gate_ = c.gate;
    const AccessDecision d = decideAt("ZZ0000", c.ap, kMonday10);
    EXPECT_EQ(d.valid, c.applies);
    EXPECT_EQ(d.decidedBy, c.applies ? "list" : "local_fallback");
  }
}

TEST_F(AccessDecisionTest, OutOfScopeDenyLeavesTheDirectoryGrant) {
  data_.list = {entry(ListAction::Deny, "AB123CD", "exit ban", {{kExit}, {}})};
  expectDirectory(decideAt("AB123CD", kEntry, kMonday10), true, "u-alice", "Alice", "valid");
}

TEST_F(AccessDecisionTest, MalformedRequests) {
  const AccessDecision noPlate = decideAt("  ", kEntry, kMonday10);
  EXPECT_FALSE(noPlate.valid);
  EXPECT_EQ(noPlate.reason, "no plate");
  freshness_.policy = FallbackPolicy::Allow;
  neverSynced_ = true;  // even the allow policy does not open for a read without a plate
  EXPECT_FALSE(decideAt("", kEntry, kMonday10).valid);
  const AccessDecision badAp = decideAt("AB123CD", 2, kMonday10);
  EXPECT_FALSE(badAp.valid);
  EXPECT_EQ(badAp.reason, "access point 2 unknown (0 entry, 1 exit)");
}

TEST(FallbackPolicyTest, NamesRoundTrip) {
  EXPECT_EQ(fallbackPolicyFromString("deny"), FallbackPolicy::Deny);
  EXPECT_EQ(fallbackPolicyFromString("allow"), FallbackPolicy::Allow);
  EXPECT_FALSE(fallbackPolicyFromString("maybe"));
  EXPECT_EQ(toString(FallbackPolicy::Allow), "allow");
}

}  // namespace
}  // namespace lpr::access
