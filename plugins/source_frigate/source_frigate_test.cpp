#include "source_frigate.h"

#include <gtest/gtest.h>
#include <mqtt/async_client.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <string>

#include "fake_plugin_context.h"
#include "metrics/metrics.h"
#include "mosquitto_broker.h"
#include "test_env.h"
#include "webhook/seed_request.h"
#include "webhook_rig.h"

namespace lpr::plugins::source_frigate {
namespace {

using namespace std::chrono_literals;
using lpr::testing::FakePluginContext;
using lpr::testing::MosquittoBroker;
using lpr::testing::MosquittoOptions;
using lpr::testing::RecordingIngest;
using lpr::testing::waitFor;

// A testdata/*.msg file: the topic on the first line, the payload after it.
struct Message {
  std::string topic;
  std::string payload;
};

Message message(const std::string& name) {
  const std::string text = lpr::testing::readFile(std::string(PLUGIN_TESTDATA) + "/" + name);
  const SeedLines seed = splitSeed(text);
  std::string payload(seed.rest);
  while (!payload.empty() && payload.back() == '\n') payload.pop_back();
  return {std::string(seed.first), payload};
}

// Publishes as Frigate does (QoS 1), waiting for the broker's PUBACK.
class Publisher {
 public:
  explicit Publisher(const std::string& uri, const std::string& user = {},
                     const std::string& password = {})
      : client_(uri, "frigate-test-pub", nullptr) {
    auto options = mqtt::connect_options_builder().clean_session(true);
    if (!user.empty()) options.user_name(user).password(password);
    client_.connect(options.finalize())->wait();
  }
  ~Publisher() {
    try {
      client_.disconnect(0)->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
  }
  void publish(const Message& m, bool retained = false) {
    client_.publish(m.topic, m.payload.data(), m.payload.size(), 1, retained)->wait();
  }

 private:
  mqtt::async_client client_;
};

void publish(const std::string& uri, const Message& m, bool retained = false,
             const std::string& user = {}, const std::string& password = {}) {
  Publisher(uri, user, password).publish(m, retained);
}

MosquittoOptions passwordOnly() {
  MosquittoOptions options;
  options.anonymousListener = false;
  options.passwordListener = true;
  return options;
}

std::uint64_t counter(FakePluginContext& ctx, const std::string& name, const Labels& labels) {
  return ctx.metrics().counter(name, "", labels).value();
}

class SourceFrigateBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    ctx_.setIngest(&ingest_);
    ctx_.set("broker", broker_.uri()).set("connect_timeout_ms", "2000");
  }
  void TearDown() override { source_.stop(); }
  void start() {
    source_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    const StartResult result = source_.start();
    ASSERT_EQ(result.kind, StartResult::Kind::Ok) << result.why;
  }

  MosquittoBroker broker_;
  RecordingIngest ingest_;
  FakePluginContext ctx_{"frigate"};
  SourceFrigate source_;
};

TEST_F(SourceFrigateBroker, LprUpdateIsStoredWithItsFields) {
  start();
  EXPECT_EQ(source_.health().state, Health::State::Ok) << source_.health().detail;
  publish(broker_.uri(), message("lpr_update.msg"));
  ASSERT_TRUE(waitFor([&] { return ingest_.stored().size() == 1; }));
  const PlateEvent e = ingest_.stored()[0].event;
  EXPECT_EQ(e.sourceId, "frigate");
  EXPECT_EQ(e.vehicleId, "1718000000.123456-ab12cd");
  EXPECT_EQ(e.sourceEventId, "1718000000.123456-ab12cd|AB123CD|0.9300");
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_DOUBLE_EQ(*e.confidence, 0.93);
  EXPECT_EQ(formatUtc(e.capturedAt), "2024-06-10T06:13:21.520Z");
  EXPECT_EQ(e.attributes.at("camera"), "driveway");
  EXPECT_EQ(e.accessPoint, 0);
}

TEST_F(SourceFrigateBroker, EventsAndRepeatsMakeOneReadPerPlateAndScore) {
  start();
  Publisher frigate(broker_.uri());
  frigate.publish(message("event_new_no_plate.msg"));
  frigate.publish(message("event_update_plate.msg"));
  frigate.publish(message("event_update_unchanged.msg"));
  frigate.publish(message("event_end.msg"));  // repeats the plate and score: a duplicate
  ASSERT_TRUE(waitFor([&] { return ingest_.submissions() == 2; }));
  ASSERT_TRUE(waitFor([&] {
    return counter(ctx_, "lpr_mqtt_source_ignored_total", {{"plugin", "frigate"}}) == 2;
  }));
  ASSERT_EQ(ingest_.stored().size(), 1u);
  EXPECT_EQ(ingest_.stored()[0].event.plateRaw, "XY98ZT");
  EXPECT_EQ(counter(ctx_, "lpr_mqtt_source_reads_total",
                    {{"plugin", "frigate"}, {"result", "duplicate"}}),
            1u);
}

TEST_F(SourceFrigateBroker, RetainedMessageSeenAgainIsADuplicate) {
  publish(broker_.uri(), message("lpr_update.msg"), /*retained=*/true);
  start();
  ASSERT_TRUE(waitFor([&] { return ingest_.submissions() == 1; }));
  // A new subscription gets the retained message again.
  source_.stop();
  ASSERT_EQ(source_.start().kind, StartResult::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return ingest_.submissions() == 2; }));
  EXPECT_EQ(ingest_.stored().size(), 1u);
}

TEST_F(SourceFrigateBroker, MalformedMessageIsCountedAndGoodOnesStillGoIn) {
  start();
  Publisher frigate(broker_.uri());
  frigate.publish(message("bad_malformed.msg"));
  frigate.publish(message("bad_score_range.msg"));
  frigate.publish(message("lpr_update.msg"));
  ASSERT_TRUE(waitFor([&] { return ingest_.stored().size() == 1; }));
  EXPECT_EQ(
      counter(ctx_, "lpr_input_errors_total", {{"plugin", "frigate"}, {"kind", "malformed_json"}}),
      1u);
  EXPECT_EQ(counter(ctx_, "lpr_input_errors_total", {{"plugin", "frigate"}, {"kind", "bad_value"}}),
            1u);
}

TEST_F(SourceFrigateBroker, ReconnectsAfterTheBrokerWasKilled) {
  start();
  broker_.kill();
  ASSERT_TRUE(waitFor([&] { return source_.health().state != Health::State::Ok; }, 20s));
  broker_.start();
  ASSERT_TRUE(waitFor([&] { return source_.health().state == Health::State::Ok; }, 30s))
      << source_.health().detail;
  // Subscribed again (the killed broker saved no session).
  publish(broker_.uri(), message("lpr_update.msg"));
  ASSERT_TRUE(waitFor([&] { return ingest_.stored().size() == 1; }));
}

TEST(SourceFrigateAuth, WrongPasswordIsRetryLaterAndNothingIsStored) {
  MosquittoBroker broker(passwordOnly());
  broker.start();
  RecordingIngest ingest;
  FakePluginContext ctx("frigate");
  ctx.setIngest(&ingest);
  ctx.set("broker", broker.passwordUri())
      .set("username", broker.username())
      .set("password", "wrong-password");
  SourceFrigate source;
  source.configure(ctx);
  const StartResult result = source.start();
  EXPECT_EQ(result.kind, StartResult::Kind::RetryLater);
  EXPECT_NE(result.why.find("not authorised"), std::string::npos) << result.why;
  EXPECT_NE(result.why.find("plugin.frigate.password"), std::string::npos) << result.why;
  EXPECT_EQ(result.why.find("wrong-password"), std::string::npos) << result.why;
  EXPECT_EQ(source.health().state, Health::State::Degraded);
  EXPECT_NE(source.health().detail.find("not authorised"), std::string::npos)
      << source.health().detail;
  publish(broker.passwordUri(), message("lpr_update.msg"), false, broker.username(),
          broker.password());
  EXPECT_EQ(ingest.submissions(), 0u);
  source.stop();
}

TEST(SourceFrigateAuth, RightPasswordReceives) {
  MosquittoBroker broker(passwordOnly());
  broker.start();
  RecordingIngest ingest;
  FakePluginContext ctx("frigate");
  ctx.setIngest(&ingest);
  ctx.set("broker", broker.passwordUri())
      .set("username", broker.username())
      .set("password", broker.password());
  SourceFrigate source;
  source.configure(ctx);
  ASSERT_EQ(source.start().kind, StartResult::Kind::Ok);
  publish(broker.passwordUri(), message("lpr_update.msg"), false, broker.username(),
          broker.password());
  EXPECT_TRUE(waitFor([&] { return ingest.stored().size() == 1; }));
  source.stop();
}

TEST(SourceFrigateConfig, SampleConfiguresCleanly) {
  FakePluginContext ctx("frigate_nvr");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.frigate_nvr.type", ""), "source_frigate");
  SourceFrigate source;
  source.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(source.options().topicPrefix, "frigate");
  EXPECT_EQ(source.connection().clientId, "lpr-gateway-gw-test-frigate_nvr");
}

TEST(SourceFrigateConfig, BadValuesAndUnknownKeysAreNamed) {
  FakePluginContext ctx("frigate");
  ctx.set("broker", "http://nvr:1883").set("topic_prefix", "frigate/#").set("bogus_key", "1");
  SourceFrigate source;
  source.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  const std::string text = ctx.problemText();
  EXPECT_NE(text.find("plugin.frigate.broker"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.frigate.topic_prefix"), std::string::npos) << text;
  EXPECT_NE(text.find("plugin.frigate.bogus_key"), std::string::npos) << text;
}

TEST(SourceFrigateConfig, DescribeRedactsThePassword) {
  FakePluginContext ctx("frigate");
  ctx.set("username", "gw").set("password", "hunter2-secret");
  SourceFrigate source;
  source.configure(ctx);
  std::ostringstream out;
  source.describe(out);
  EXPECT_EQ(out.str().find("hunter2-secret"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("password = <redacted>"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace lpr::plugins::source_frigate
