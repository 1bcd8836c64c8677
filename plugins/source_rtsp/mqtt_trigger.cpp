#include "mqtt_trigger.h"

#include <Poco/Logger.h>
#include <mqtt/async_client.h>

#include <algorithm>

#include "metrics/metrics.h"

namespace lpr::plugins::source_rtsp {
namespace {

using namespace std::chrono_literals;

constexpr auto kInitialBackoff = 250ms;
constexpr auto kMaxBackoff = 30s;
constexpr auto kLinkCheck = 1s;
constexpr int kQos = 1;
const char* const kKeyPrefix = "trigger_";

}  // namespace

const std::vector<std::string>& mqttTriggerKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out{"trigger_topic", "trigger_payload"};
    for (const char* key :
         {"broker", "client_id", "username", "password", "tls.ca_file", "tls.cert_file",
          "tls.key_file", "tls.verify", "keepalive_s", "connect_timeout_ms"}) {
      out.push_back(kKeyPrefix + std::string(key));
    }
    return out;
  }();
  return keys;
}

MqttTriggerSettings readMqttTriggerSettings(ConfigReader& config,
                                            const std::string& defaultClientId) {
  MqttTriggerSettings settings;
  settings.connection.keyPrefix = kKeyPrefix;
  mqtt_link::readConnectionSettings(config, settings.connection, defaultClientId);
  settings.topic = config.requireString("trigger_topic");
  if (auto why = topicFilterProblem(settings.topic); !settings.topic.empty() && !why.empty()) {
    config.problem("trigger_topic", settings.topic, "an MQTT topic filter (" + why + ")");
  }
  settings.payload = config.getString("trigger_payload", "");
  return settings;
}

std::string topicFilterProblem(const std::string& filter) {
  if (filter.empty()) return "empty";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = filter.find('/', start);
    const std::string level = filter.substr(start, end - start);
    if (level.find_first_of("+#") != std::string::npos && level.size() != 1) {
      return "+ and # must be a whole level";
    }
    if (level == "#" && end != std::string::npos) return "# must be the last level";
    if (end == std::string::npos) return {};
    start = end + 1;
  }
}

bool payloadTriggers(const MqttTriggerSettings& settings, const std::string& payload) {
  return settings.payload.empty() || payload == settings.payload;
}

MqttTrigger::MqttTrigger(PluginContext& ctx, MqttTriggerSettings settings,
                         std::function<void()> fire)
    : ctx_(ctx),
      settings_(std::move(settings)),
      fire_(std::move(fire)),
      connected_(std::make_shared<std::atomic<bool>>(false)) {
  const Labels labels{{"plugin", ctx.instanceId()}};
  ignored_ = &ctx.metrics().counter(
      "lpr_rtsp_trigger_ignored_total",
      "MQTT trigger messages whose payload was not trigger_payload (no window opened)", labels);
  std::weak_ptr<std::atomic<bool>> weak = connected_;
  ctx.metrics().gauge("lpr_rtsp_trigger_connected",
                      "1 while an RTSP source's MQTT trigger is connected and subscribed", labels,
                      [weak] {
                        auto flag = weak.lock();
                        return flag && flag->load() ? 1.0 : 0.0;
                      });
}

MqttTrigger::~MqttTrigger() { stop(); }

StartResult MqttTrigger::start() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_) return StartResult::ok();
  }
  if (std::string unreadable = mqtt_link::unreadableTlsFile(ctx_.config(), settings_.connection);
      !unreadable.empty()) {
    return StartResult::fatal(unreadable);
  }
  if (!client_) {
    auto builder = mqtt_link::connectOptions(settings_.connection);
    // A trigger queued while the link was down would open the window late, for another car.
    builder.clean_session(true);
    connectOptions_ = std::make_unique<mqtt::connect_options>(builder.finalize());
    try {
      client_ = std::make_unique<mqtt::async_client>(settings_.connection.broker,
                                                     settings_.connection.clientId, nullptr);
    } catch (const mqtt::exception& e) {
      return StartResult::fatal(ctx_.config().fullKey(kKeyPrefix + std::string("broker")) +
                                " = \"" + settings_.connection.broker +
                                "\" is not usable: " + e.what());
    }
    client_->set_connection_lost_handler([this](const std::string& cause) {
      // paho's thread: flag and wake only.
      connected_->store(false);
      ctx_.logger().warning("MQTT trigger disconnected broker=%s cause=\"%s\"; reconnecting",
                            settings_.connection.broker,
                            cause.empty() ? std::string("connection lost") : cause);
      wake_.notify_all();
    });
    client_->set_message_callback(
        [this](mqtt::const_message_ptr message) { onMessage(message->to_string()); });
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = true;
  stopping_ = false;
  lastError_ = "connecting";
  thread_ = std::thread([this] { connectLoop(); });
  return StartResult::ok();
}

std::string MqttTrigger::connectOnce() {
  const auto timeout = std::chrono::milliseconds(settings_.connection.connectTimeoutMs);
  try {
    // paho enforces connect_timeout itself; the margin covers its whole-second rounding.
    if (!client_->connect(*connectOptions_)->wait_for(timeout + 2s)) {
      return "no answer from broker " + settings_.connection.broker + " within " +
             std::to_string(settings_.connection.connectTimeoutMs) + " ms";
    }
  } catch (const mqtt::exception& e) {
    return mqtt_link::explainConnectError(ctx_.config(), settings_.connection, e.get_return_code(),
                                          e.what());
  }
  try {
    // A clean session forgets the subscription with the link, so every connect subscribes.
    if (!client_->subscribe(settings_.topic, kQos)->wait_for(timeout + 2s)) {
      throw mqtt::exception(MQTTASYNC_FAILURE, "no SUBACK in time");
    }
  } catch (const mqtt::exception& e) {
    try {
      client_->disconnect()->wait_for(timeout);
    } catch (const mqtt::exception&) {
    }
    return "broker " + settings_.connection.broker + " refused the subscription to " +
           settings_.topic + ": " + e.what() + "; check the broker's ACL for " +
           ctx_.config().fullKey(kKeyPrefix + std::string("username")) + " and " +
           ctx_.config().fullKey("trigger_topic");
  }
  connected_->store(true);
  ctx_.logger().information("MQTT trigger connected broker=%s client_id=%s topic=%s",
                            settings_.connection.broker, settings_.connection.clientId,
                            settings_.topic);
  return {};
}

void MqttTrigger::connectLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto backoff = std::chrono::milliseconds(kInitialBackoff);
  int failedAttempts = 0;
  while (!stopping_) {
    if (connected_->load()) {
      wake_.wait_for(lock, kLinkCheck, [&] { return stopping_ || !connected_->load(); });
      // Covers a loss paho reported before connectOnce() set the flag. paho is called without
      // our lock: it runs our callbacks holding its own.
      lock.unlock();
      const bool alive = client_->is_connected();
      lock.lock();
      if (!alive) connected_->store(false);
      continue;
    }
    lock.unlock();
    std::string error = connectOnce();
    lock.lock();
    if (error.empty()) {
      if (failedAttempts > 0) {
        ctx_.logger().information("MQTT trigger reconnected broker=%s after %d failed attempts",
                                  settings_.connection.broker, failedAttempts);
      }
      failedAttempts = 0;
      backoff = kInitialBackoff;
      lastError_.clear();
      continue;
    }
    ++failedAttempts;
    if (error != lastError_) {
      // Once per distinct reason, not once per attempt.
      ctx_.logger().warning("MQTT trigger connect failed, retrying with backoff: %s", error);
      lastError_ = error;
    }
    wake_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
}

void MqttTrigger::stop() noexcept {
  try {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!running_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    connected_->store(false);
    if (client_ && client_->is_connected()) {
      const auto timeout = std::chrono::milliseconds(settings_.connection.connectTimeoutMs);
      try {
        client_->disconnect(static_cast<int>(timeout.count()))->wait_for(timeout + 1s);
      } catch (const mqtt::exception&) {
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    stopping_ = false;
  } catch (...) {
    // stop() must not throw; nothing useful is left to do here.
  }
}

std::string MqttTrigger::status() const {
  if (connected_->load()) {
    return "trigger connected to " + settings_.connection.broker + ", subscribed to " +
           settings_.topic;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return "trigger not connected to broker " + settings_.connection.broker +
         (lastError_.empty() ? std::string() : ": " + lastError_);
}

void MqttTrigger::describe(std::ostream& out) const {
  mqtt_link::describeConnection(out, settings_.connection);
  out << "trigger_topic = " << settings_.topic << " (QoS " << kQos << ")\n"
      << "trigger_payload = " << settings_.payload << "\n";
}

void MqttTrigger::onMessage(const std::string& payload) {
  // paho's thread: nothing may escape into it.
  try {
    if (!payloadTriggers(settings_, payload)) {
      ignored_->inc();
      return;
    }
    fire_();
  } catch (const std::exception& e) {
    ctx_.logger().error("trigger message not handled error=\"%s\"", std::string(e.what()));
  }
}

}  // namespace lpr::plugins::source_rtsp
