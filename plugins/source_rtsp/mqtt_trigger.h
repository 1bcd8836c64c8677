#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "mqtt_connection.h"
#include "mqtt_subscriber.h"
#include "plugin/plugin.h"

namespace lpr {
class Counter;
}

namespace lpr::plugins::source_rtsp {

// The MQTT trigger's keys: sink_mqtt's broker keys behind "trigger_" (trigger_broker,
// trigger_client_id, trigger_username, ...), trigger_topic (a filter, + and # allowed) and
// trigger_payload (empty: any message triggers).
struct MqttTriggerSettings {
  mqtt_link::ConnectionSettings connection;
  std::string topic;
  std::string payload;
};

// Every key the MQTT trigger reads, for refusing them where trigger is not mqtt.
const std::vector<std::string>& mqttTriggerKeys();

// Reads the keys above; problems (naming the keys) go to the reader.
MqttTriggerSettings readMqttTriggerSettings(ConfigReader& config,
                                            const std::string& defaultClientId);

// Why `filter` is not a valid MQTT topic filter; empty when it is.
std::string topicFilterProblem(const std::string& filter);

// Whether a message with `payload` opens the window.
bool payloadTriggers(const MqttTriggerSettings& settings, const std::string& payload);

// A subscriber (QoS 1, clean session) to trigger_topic that calls `fire` for each message that
// passes the payload filter. It connects in the background and reconnects (and subscribes
// again) with backoff (mqtt_link::Subscriber), so a broker that is down delays triggers but
// never the camera.
class MqttTrigger {
 public:
  MqttTrigger(PluginContext& ctx, MqttTriggerSettings settings, std::function<void()> fire);

  // Fatal only for what a retry cannot fix (an unreadable TLS file, an unusable broker URI).
  StartResult start() { return subscriber_.start(true); }
  void stop() noexcept { subscriber_.stop(); }

  bool connected() const { return subscriber_.connected(); }
  // "connected to ..., subscribed to ..." or why not.
  std::string status() const;
  void describe(std::ostream& out) const;

 private:
  void onMessage(const std::string& payload);

  const MqttTriggerSettings settings_;
  const std::function<void()> fire_;
  Counter* ignored_ = nullptr;
  // Last: destroyed first, so no message arrives while the members above are going.
  mqtt_link::Subscriber subscriber_;
};

}  // namespace lpr::plugins::source_rtsp
