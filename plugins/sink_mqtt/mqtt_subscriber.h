#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mqtt_connection.h"
#include "mqtt_reconnector.h"
#include "plugin/plugin.h"

namespace mqtt {
class async_client;
class connect_options;
}  // namespace mqtt

namespace lpr::mqtt_link {

struct SubscriberOptions {
  ConnectionSettings connection;
  std::vector<std::string> topics;  // filters, each subscribed with QoS 1
  // false: the broker keeps the subscriptions and queues QoS 1 messages while the link is down.
  bool cleanSession = true;
  std::string name = "MQTT";  // starts each log line ("MQTT trigger connected ...")
  // The keys to check when the broker refuses the subscription (its ACL), e.g.
  // "plugin.x.username and plugin.x.topic_prefix".
  std::string aclKeys;
};

// The MQTT sources' side of a broker (source_frigate, source_rtsp's trigger): one paho client
// subscribed with QoS 1 to fixed topics, each message handed to `onMessage` on paho's thread
// (QoS 1 is acknowledged when it returns). Every connect subscribes again, and the Reconnector
// keeps the link up.
class Subscriber {
 public:
  using OnMessage = std::function<void(const std::string& topic, const std::string& payload)>;

  Subscriber(PluginContext& ctx, SubscriberOptions options, OnMessage onMessage);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Fatal for what a retry cannot fix (an unreadable TLS file, an unusable broker URI). With
  // `background`, connecting is left to the reconnector and start() returns at once; without,
  // the first connect is made here and a failure is RetryLater with its reason.
  StartResult start(bool background);
  void stop() noexcept;

  bool connected() const { return connected_->load(); }
  // The flag behind connected(), for a metrics gauge that may outlive this object.
  std::shared_ptr<const std::atomic<bool>> connectedFlag() const { return connected_; }
  // Why the last attempt failed; empty while connected.
  std::string lastError() const { return reconnector_.lastError(); }

 private:
  std::string connectOnce();
  void receive(const std::string& topic, const std::string& payload);

  PluginContext& ctx_;
  const SubscriberOptions options_;
  const OnMessage onMessage_;
  const std::shared_ptr<std::atomic<bool>> connected_;
  std::unique_ptr<mqtt::connect_options> connectOptions_;
  std::unique_ptr<mqtt::async_client> client_;
  Reconnector reconnector_;
  std::atomic<bool> running_{false};
};

}  // namespace lpr::mqtt_link
