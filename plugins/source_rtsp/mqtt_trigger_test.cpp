#include "mqtt_trigger.h"

#include <gtest/gtest.h>
#include <mqtt/async_client.h>

#include <atomic>
#include <sstream>

#include "fake_plugin_context.h"
#include "metrics/metrics.h"
#include "mosquitto_broker.h"
#include "source_rtsp.h"
#include "test_env.h"

namespace lpr::plugins::source_rtsp {
namespace {

using namespace std::chrono_literals;
using lpr::testing::FakePluginContext;
using lpr::testing::MosquittoBroker;
using lpr::testing::MosquittoOptions;
using lpr::testing::waitFor;

// Publishes as a loop detector would (QoS 1), waiting for the broker's PUBACK, so that what a
// test publishes next arrives after it.
void publish(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& msgs,
             const std::string& user = {}, const std::string& password = {}) {
  mqtt::async_client client(uri, "loop-detector-test", nullptr);
  auto options = mqtt::connect_options_builder().clean_session(true);
  if (!user.empty()) options.user_name(user).password(password);
  client.connect(options.finalize())->wait();
  for (const auto& [topic, payload] : msgs) {
    client.publish(topic, payload.data(), payload.size(), 1, false)->wait();
  }
  client.disconnect()->wait();
}

std::string configProblems(const std::map<std::string, std::string>& keys) {
  FakePluginContext ctx("cam");
  ctx.set("url", "rtsp://127.0.0.1:1/x");
  for (const auto& [key, value] : keys) ctx.set(key, value);
  SourceRtsp source;
  source.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  return ctx.problemText();
}

TEST(MqttTriggerConfig, MqttWithoutATopicNamesTheKey) {
  const std::string text = configProblems({{"trigger", "mqtt"}});
  EXPECT_NE(text.find("plugin.cam.trigger_topic is missing"), std::string::npos) << text;
}

TEST(MqttTriggerConfig, BadValuesAreNamedAndThePasswordIsNot) {
  const std::string text = configProblems({{"trigger", "mqtt"},
                                           {"trigger_topic", "loop/#/state"},
                                           {"trigger_broker", "http://broker:1883"},
                                           {"trigger_password", "hunter2"},
                                           {"trigger_qos", "2"}});
  for (const char* key : {"trigger_topic", "trigger_broker", "trigger_username", "trigger_qos"}) {
    EXPECT_NE(text.find(std::string("plugin.cam.") + key), std::string::npos) << key << "\n"
                                                                              << text;
  }
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
}

TEST(MqttTriggerConfig, MqttKeysWithoutTriggerMqttAreNamed) {
  const std::string text = configProblems(
      {{"trigger", "http"}, {"trigger_topic", "loop/1"}, {"trigger_password", "hunter2"}});
  EXPECT_NE(text.find("plugin.cam.trigger_topic = 'loop/1': expected no value unless trigger = "
                      "mqtt"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("plugin.cam.trigger_password"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
}

TEST(MqttTriggerConfig, GoodKeysConfigureCleanlyAndDescribeRedactsThePassword) {
  FakePluginContext ctx("cam", "gw");
  ctx.set("url", "rtsp://127.0.0.1:1/x")
      .set("trigger", "mqtt")
      .set("trigger_broker", "tcp://10.0.0.5:1883")
      .set("trigger_topic", "site/+/loop/#")
      .set("trigger_payload", "ON")
      .set("trigger_username", "loop")
      .set("trigger_password", "hunter2");
  SourceRtsp source;
  source.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  std::ostringstream out;
  source.describe(out);
  EXPECT_NE(out.str().find("trigger_client_id = lpr-gateway-gw-cam-trigger"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("trigger_topic = site/+/loop/#"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("hunter2"), std::string::npos) << out.str();
}

TEST(MqttTriggerConfig, TopicFilters) {
  EXPECT_EQ(topicFilterProblem("a/+/b/#"), "");
  EXPECT_EQ(topicFilterProblem("#"), "");
  EXPECT_NE(topicFilterProblem(""), "");
  EXPECT_NE(topicFilterProblem("a/#/b"), "");
  EXPECT_NE(topicFilterProblem("a/b+"), "");
  EXPECT_NE(topicFilterProblem("a/x#"), "");
}

class MqttTriggerBroker : public ::testing::Test {
 protected:
  void SetUp() override { broker_.start(); }
  // A trigger on the broker, counting fires.
  std::unique_ptr<MqttTrigger> trigger(const std::string& payload, const std::string& uri,
                                       const std::string& user = {},
                                       const std::string& password = {}) {
    ctx_.set("trigger_broker", uri).set("trigger_topic", "loop/+/state");
    ctx_.set("trigger_connect_timeout_ms", "2000");
    if (!payload.empty()) ctx_.set("trigger_payload", payload);
    if (!user.empty()) ctx_.set("trigger_username", user).set("trigger_password", password);
    MqttTriggerSettings settings = readMqttTriggerSettings(ctx_.config(), "trigger-under-test");
    EXPECT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    auto out = std::make_unique<MqttTrigger>(ctx_, settings, [this] { ++fired_; });
    EXPECT_EQ(out->start().kind, StartResult::Kind::Ok);
    return out;
  }
  std::uint64_t ignored() {
    return ctx_.metrics()
        .counter("lpr_rtsp_trigger_ignored_total", "", {{"plugin", "cam"}})
        .value();
  }

  MosquittoBroker broker_;
  FakePluginContext ctx_{"cam"};
  std::atomic<int> fired_{0};
};

TEST_F(MqttTriggerBroker, OnlyTheConfiguredPayloadFires) {
  auto t = trigger("ON", broker_.uri());
  ASSERT_TRUE(waitFor([&] { return t->connected(); })) << t->status();
  publish(broker_.uri(),
          {{"loop/1/state", "OFF"}, {"other/1/state", "ON"}, {"loop/2/state", "ON"}});
  ASSERT_TRUE(waitFor([&] { return fired_ == 1; }));
  // QoS 1 from one publisher arrives in order: the OFF was handled before the ON.
  EXPECT_EQ(ignored(), 1u);
  EXPECT_EQ(fired_, 1);
  t->stop();
}

TEST_F(MqttTriggerBroker, WithoutAPayloadFilterAnyMessageFires) {
  auto t = trigger("", broker_.uri());
  ASSERT_TRUE(waitFor([&] { return t->connected(); })) << t->status();
  publish(broker_.uri(), {{"loop/1/state", "OFF"}, {"loop/2/state", ""}});
  ASSERT_TRUE(waitFor([&] { return fired_ == 2; }));
  EXPECT_EQ(ignored(), 0u);
}

TEST_F(MqttTriggerBroker, ReconnectsAndSubscribesAgainAfterTheBrokerWasKilled) {
  auto t = trigger("", broker_.uri());
  ASSERT_TRUE(waitFor([&] { return t->connected(); })) << t->status();
  broker_.kill();
  ASSERT_TRUE(waitFor([&] { return !t->connected(); }, 20s));
  EXPECT_NE(t->status().find("not connected"), std::string::npos) << t->status();
  broker_.start();
  ASSERT_TRUE(waitFor([&] { return t->connected(); }, 30s)) << t->status();
  publish(broker_.uri(), {{"loop/1/state", "ON"}});
  ASSERT_TRUE(waitFor([&] { return fired_ == 1; })) << t->status();
}

TEST(MqttTriggerAuth, AWrongPasswordNamesTheKeysButNotThePassword) {
  MosquittoOptions options;
  options.anonymousListener = false;
  options.passwordListener = true;
  MosquittoBroker broker(options);
  broker.start();
  FakePluginContext ctx("cam");
  ctx.set("trigger_broker", broker.passwordUri())
      .set("trigger_topic", "loop")
      .set("trigger_username", broker.username())
      .set("trigger_password", "wrong-password");
  MqttTrigger t(ctx, readMqttTriggerSettings(ctx.config(), "trigger-auth"), [] {});
  ASSERT_EQ(t.start().kind, StartResult::Kind::Ok);
  ASSERT_TRUE(waitFor([&] { return t.status().find("not authorised") != std::string::npos; }))
      << t.status();
  EXPECT_NE(t.status().find("plugin.cam.trigger_password"), std::string::npos) << t.status();
  EXPECT_EQ(t.status().find("wrong-password"), std::string::npos) << t.status();
  EXPECT_FALSE(t.connected());
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
