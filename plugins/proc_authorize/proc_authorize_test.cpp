// The fallback as the decision stage calls it, without a directory: lists and policy.
#include "proc_authorize.h"

#include <gtest/gtest.h>

#include "fake_plugin_context.h"
#include "metrics/metrics.h"

namespace lpr::plugins::proc_authorize {
namespace {

using lpr::testing::FakePluginContext;

PlateEvent readOf(const std::string& plate, int accessPoint = 0) {
  PlateEvent event;
  event.id = "evt-" + plate;
  event.sourceId = "cam";
  event.plateRaw = plate;
  event.plate = plate;
  event.accessPoint = accessPoint;
  return event;
}

class ProcAuthorizeTest : public ::testing::Test {
 protected:
  void TearDown() override { plugin_.stop(); }
  void configure() {
    plugin_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    ASSERT_EQ(plugin_.start().kind, StartResult::Kind::Ok);
    ASSERT_TRUE(ctx_.verdicts().fallback()) << "no fallback registered";
  }
  Decision decide(const PlateEvent& read) {
    auto decision = ctx_.verdicts().fallback()(read);
    EXPECT_TRUE(decision.has_value());
    return decision.value_or(Decision{});
  }

  FakePluginContext ctx_{"auth"};
  ProcAuthorize plugin_;
};

TEST_F(ProcAuthorizeTest, ProcessPassesEveryReadUnchanged) {
  configure();
  PlateEvent event = readOf("AB123CD");
  EXPECT_TRUE(plugin_.process(event).keep);
  EXPECT_EQ(event.plate, "AB123CD");
  EXPECT_FALSE(event.decision.has_value());
}

TEST_F(ProcAuthorizeTest, NeverSyncedMirrorDeniesByPolicy) {
  ctx_.set("directory", "door");  // its file does not exist
  configure();
  Decision d = decide(readOf("AB123CD"));
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.decidedBy, "policy");
  EXPECT_FALSE(d.uuid.has_value());
  EXPECT_FALSE(d.reason.empty());
  EXPECT_NE(d.decidedAt, TimePoint{});
  EXPECT_EQ(plugin_.health().state, Health::State::Degraded);
  EXPECT_NE(plugin_.health().detail.find("never synced"), std::string::npos);
  EXPECT_NE(ctx_.metrics().renderPrometheus().find(
                R"(lpr_authorize_decisions_total{plugin="auth",decided_by="policy"} 1)"),
            std::string::npos)
      << ctx_.metrics().renderPrometheus();
}

TEST_F(ProcAuthorizeTest, AllowPolicyGrantsWhileStale) {
  ctx_.set("directory", "door").set("fallback_policy", "allow");
  configure();
  Decision d = decide(readOf("ZZ999ZZ"));
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.decidedBy, "policy");
}

TEST_F(ProcAuthorizeTest, ListsDecideWithoutADirectory) {
  ctx_.set("list.1.action", "allow").set("list.1.plate", "AB123CD").set("list.1.name", "Delivery");
  ctx_.set("list.2.action", "deny").set("list.2.plate", "XY1").set("list.2.name", "Banned");
  ctx_.set("list.3.action", "allow").set("list.3.plate", "EX1").set("list.3.access_points", "1");
  configure();
  Decision allowed = decide(readOf("ab 123cd"));
  EXPECT_TRUE(allowed.valid);
  EXPECT_EQ(allowed.decidedBy, "list");
  EXPECT_EQ(allowed.userName, "Delivery");
  EXPECT_FALSE(allowed.uuid.has_value());
  Decision denied = decide(readOf("XY1"));
  EXPECT_FALSE(denied.valid);
  EXPECT_EQ(denied.decidedBy, "list");
  EXPECT_EQ(denied.userName, "Banned");
  // Scoped to the exit: at the entry the list says nothing, and without a directory the policy
  // (deny) decides.
  EXPECT_TRUE(decide(readOf("EX1", 1)).valid);
  Decision entry = decide(readOf("EX1", 0));
  EXPECT_FALSE(entry.valid);
  EXPECT_EQ(entry.decidedBy, "policy");
  EXPECT_EQ(plugin_.health().state, Health::State::Ok);
}

}  // namespace
}  // namespace lpr::plugins::proc_authorize
