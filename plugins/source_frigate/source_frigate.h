#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "frigate_message.h"
#include "mqtt_connection.h"
#include "mqtt_reconnector.h"
#include "plugin/log_throttle.h"
#include "plugin/plugin.h"

namespace mqtt {
class async_client;
class connect_options;
}  // namespace mqtt

namespace lpr::plugins::source_frigate {

extern const PluginDescriptor kDescriptor;

// Frigate NVR's licence plate reads, taken from its MQTT broker: a subscriber (QoS 1) to
// <topic_prefix>/tracked_object_update and <topic_prefix>/events whose messages go through the
// pure convertFrigateMessage() and into ctx.ingest(), like a push source's posts. The broker
// connection keys are sink_mqtt's (mqtt_connection.h). The session is persistent by default
// (clean_session = false), so what Frigate publishes while the link is down is queued by the
// broker and arrives after the reconnect, which mqtt_link::Reconnector retries with backoff.
class SourceFrigate : public Source {
 public:
  SourceFrigate();
  ~SourceFrigate() override;

  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  Health health() const override;

  const mqtt_link::ConnectionSettings& connection() const { return connection_; }
  const FrigateOptions& options() const { return options_; }

 private:
  // One connect + subscribe, waited on; empty on success, else why (naming the keys to fix).
  std::string connectOnce();
  void onMessage(const std::string& topic, const std::string& payload);
  void ingest(Conversion& conversion, const std::string& topic);
  void count(const char* metric, const char* help, const std::string& label,
             const std::string& value);

  PluginContext* ctx_ = nullptr;
  mqtt_link::ConnectionSettings connection_;
  FrigateOptions options_;
  bool cleanSession_ = false;
  int accessPoint_ = 0;
  bool configured_ = false;
  std::unique_ptr<mqtt::connect_options> connectOptions_;
  std::unique_ptr<mqtt::async_client> client_;
  // Shared with the metrics gauge, which may outlive this object.
  std::shared_ptr<std::atomic<bool>> connected_;
  LogThrottle throttle_;
  std::unique_ptr<mqtt_link::Reconnector> reconnector_;

  mutable std::mutex mutex_;  // guards the fields below
  bool running_ = false;
};

}  // namespace lpr::plugins::source_frigate
