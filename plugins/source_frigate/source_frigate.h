#pragma once

#include <memory>
#include <string>

#include "frigate_message.h"
#include "mqtt_connection.h"
#include "mqtt_subscriber.h"
#include "plugin/log_throttle.h"
#include "plugin/plugin.h"

namespace lpr::plugins::source_frigate {

extern const PluginDescriptor kDescriptor;

// Frigate NVR's licence plate reads, taken from its MQTT broker: a subscriber (QoS 1) to
// <topic_prefix>/tracked_object_update and <topic_prefix>/events whose messages go through the
// pure convertFrigateMessage() and into ctx.ingest(), like a push source's posts. The broker
// connection keys are sink_mqtt's (mqtt_connection.h). The session is persistent by default
// (clean_session = false), so what Frigate publishes while the link is down is queued by the
// broker and arrives after the reconnect (mqtt_link::Subscriber).
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
  LogThrottle throttle_;
  // Last: destroyed first, so no message arrives while the members above are going.
  std::unique_ptr<mqtt_link::Subscriber> subscriber_;
};

}  // namespace lpr::plugins::source_frigate
