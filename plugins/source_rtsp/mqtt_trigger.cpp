#include "mqtt_trigger.h"

#include <Poco/Logger.h>

#include "metrics/metrics.h"

namespace lpr::plugins::source_rtsp {
namespace {

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

namespace {

mqtt_link::SubscriberOptions subscriberOptions(const ConfigReader& config,
                                               const MqttTriggerSettings& settings) {
  mqtt_link::SubscriberOptions options;
  options.connection = settings.connection;
  options.topics = {settings.topic};
  // A trigger queued while the link was down would open the window late, for another car.
  options.cleanSession = true;
  options.name = "MQTT trigger";
  options.aclKeys = config.fullKey(kKeyPrefix + std::string("username")) + " and " +
                    config.fullKey("trigger_topic");
  return options;
}

}  // namespace

MqttTrigger::MqttTrigger(PluginContext& ctx, MqttTriggerSettings settings,
                         std::function<void()> fire)
    : settings_(std::move(settings)),
      fire_(std::move(fire)),
      subscriber_(ctx, subscriberOptions(ctx.config(), settings_),
                  [this](const std::string&, const std::string& payload) { onMessage(payload); }) {
  const Labels labels{{"plugin", ctx.instanceId()}};
  ignored_ = &ctx.metrics().counter(
      "lpr_rtsp_trigger_ignored_total",
      "MQTT trigger messages whose payload was not trigger_payload (no window opened)", labels);
  std::weak_ptr<const std::atomic<bool>> weak = subscriber_.connectedFlag();
  ctx.metrics().gauge("lpr_rtsp_trigger_connected",
                      "1 while an RTSP source's MQTT trigger is connected and subscribed", labels,
                      [weak] {
                        auto flag = weak.lock();
                        return flag && flag->load() ? 1.0 : 0.0;
                      });
}

std::string MqttTrigger::status() const {
  if (subscriber_.connected()) {
    return "trigger connected to " + settings_.connection.broker + ", subscribed to " +
           settings_.topic;
  }
  const std::string error = subscriber_.lastError();
  return "trigger not connected to broker " + settings_.connection.broker +
         (error.empty() ? std::string() : ": " + error);
}

void MqttTrigger::describe(std::ostream& out) const {
  mqtt_link::describeConnection(out, settings_.connection);
  out << "trigger_topic = " << settings_.topic << " (QoS 1)\n"
      << "trigger_payload = " << settings_.payload << "\n";
}

void MqttTrigger::onMessage(const std::string& payload) {
  // paho's thread (the subscriber logs what escapes).
  if (!payloadTriggers(settings_, payload)) {
    ignored_->inc();
    return;
  }
  fire_();
}

}  // namespace lpr::plugins::source_rtsp
