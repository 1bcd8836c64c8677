#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "mqtt_connection.h"
#include "plugin/plugin.h"

namespace mqtt {
class async_client;
class connect_options;
}  // namespace mqtt

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

// A subscriber (QoS 1) to trigger_topic that calls `fire` for each message that passes the
// payload filter. It connects in a thread of its own and reconnects (and subscribes again)
// with backoff, so a broker that is down delays triggers but never the camera.
class MqttTrigger {
 public:
  MqttTrigger(PluginContext& ctx, MqttTriggerSettings settings, std::function<void()> fire);
  ~MqttTrigger();
  MqttTrigger(const MqttTrigger&) = delete;
  MqttTrigger& operator=(const MqttTrigger&) = delete;

  // Fatal only for what a retry cannot fix (an unreadable TLS file, an unusable broker URI).
  StartResult start();
  void stop() noexcept;

  bool connected() const { return connected_->load(); }
  // "connected to ..., subscribed to ..." or why not.
  std::string status() const;
  void describe(std::ostream& out) const;

 private:
  std::string connectOnce();
  void connectLoop();
  void onMessage(const std::string& payload);

  PluginContext& ctx_;
  MqttTriggerSettings settings_;
  std::function<void()> fire_;
  Counter* ignored_ = nullptr;
  std::unique_ptr<mqtt::connect_options> connectOptions_;
  std::unique_ptr<mqtt::async_client> client_;
  // Shared with the metrics gauge, which may outlive this object.
  std::shared_ptr<std::atomic<bool>> connected_;

  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable wake_;
  bool running_ = false;
  bool stopping_ = false;
  std::string lastError_;
  std::thread thread_;
};

}  // namespace lpr::plugins::source_rtsp
