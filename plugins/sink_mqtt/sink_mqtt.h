#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ha_discovery.h"
#include "mqtt_connection.h"
#include "mqtt_event_message.h"
#include "mqtt_reconnector.h"
#include "plugin/plugin.h"

namespace mqtt {
class async_client;
class connect_options;
}  // namespace mqtt

namespace lpr {
class Counter;
}

namespace lpr::plugins::sink_mqtt {

extern const PluginDescriptor kDescriptor;

// broker, client id (default lpr-gateway-<gateway_id>-<instance id>), credentials, TLS: the
// connection keys shared with source_frigate.
struct Settings : mqtt_link::ConnectionSettings {
  int qos = 1;
  int publishTimeoutMs = 5000;
  int maxInflight = 64;
  MessageOptions message;
  // Subscribe to <prefix>/<gateway>/gate/+/open and open gates through GateControl.
  bool gateCommands = false;
  HaOptions ha;
};

// Publishes every event as one JSON message and counts it delivered only once the broker
// confirmed it (PUBACK/PUBCOMP). Whatever is not confirmed is returned as Retry and the host
// re-delivers it from its store, so paho must never send it on its own later: the session is
// clean and every connection gets a fresh paho client (paho keeps publishes that were queued
// but not yet sent across a reconnect, even with a clean session). A thread of its own
// (mqtt_link::Reconnector) reconnects with backoff after the connection is lost.
//
// Besides the event topic, each event goes to its gate's topics (.../gate/<ap>/event, and the
// retained .../gate/<ap>/last while it is the gate's newest); an event counts as delivered only
// once all of its messages are confirmed. On every connection it subscribes again (gate
// commands, HA's status) and publishes the Home Assistant discovery configs. Commands and HA
// restarts are handled on a thread of the plugin, never on paho's callback thread, which must
// stay free to take the acknowledgements of the batches.
class SinkMqtt : public Sink {
 public:
  SinkMqtt();
  ~SinkMqtt() override;

  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  Health health() const override;

  Delivery deliver(const PlateEvent& event) override;
  std::vector<Delivery> deliverBatch(const std::vector<PlateEvent>& events) override;
  std::size_t maxBatch() const override { return static_cast<std::size_t>(settings_.maxInflight); }

  const Settings& settings() const { return settings_; }

 private:
  // One connection attempt, waited on; on success publishes the retained "online" status.
  // Returns an empty string on success, else a one-line reason that says what to fix.
  std::string connectOnce();
  std::string explainConnectError(int rc, const std::string& detail);
  void onConnectionLost(std::uint64_t generation, const std::string& cause);
  // Gives up a connection whose publishes were not confirmed in time, so that paho cannot
  // deliver them after they were reported as Retry.
  void dropConnection(const std::shared_ptr<mqtt::async_client>& client, const std::string& why);
  std::shared_ptr<mqtt::async_client> currentClient() const;
  std::chrono::milliseconds retryHint();

  // A message that arrived on a subscription, handled by the command thread.
  struct Job {
    std::string topic;
    std::string payload;
    bool retained = false;
    std::chrono::steady_clock::time_point received;
  };
  void onMessage(const std::string& topic, const std::string& payload, bool retained);
  void commandLoop();
  void handleOpen(const Job& job);
  // Subscribes the client to the command and HA status topics; waited on.
  void subscribe(const std::shared_ptr<mqtt::async_client>& client);
  void publishDiscovery(const std::shared_ptr<mqtt::async_client>& client);
  void countOpen(const std::string& result);
  void startCommandThread();
  void stopCommandThread();

  PluginContext* ctx_ = nullptr;
  Settings settings_;
  std::string statusTopic_;
  std::unique_ptr<mqtt::connect_options> connectOptions_;
  // Shared with the metrics gauge, which may outlive this object.
  std::shared_ptr<std::atomic<bool>> connected_;
  Counter* publishErrors_ = nullptr;
  std::map<std::string, Counter*> openRequests_;  // by result
  std::string version_;

  std::mutex connectMutex_;  // one connect/disconnect at a time
  std::unique_ptr<mqtt_link::Reconnector> reconnector_;
  mutable std::mutex mutex_;  // guards the fields below
  // The client of the current connection; deliveries hold a reference while they wait.
  std::shared_ptr<mqtt::async_client> client_;
  std::uint64_t generation_ = 0;  // numbers clients, so a late callback of an old one is ignored
  bool running_ = false;
  bool stopping_ = false;
  // Store sequence of the newest event confirmed on each gate's retained last topic: an older
  // event delivered again after a Retry must not replace it.
  std::map<int, std::int64_t> lastSeq_;
  // Events retried after some of their messages were confirmed: the parts not to send again.
  std::map<std::string, std::set<int>> partlyConfirmed_;

  std::mutex jobsMutex_;  // guards the fields below
  std::condition_variable jobsChanged_;
  std::deque<Job> jobs_;
  bool jobsStop_ = false;
  // Messages are taken from start() on, and no longer once stop() began: one that arrives while
  // stopping must not be carried out after the next start().
  bool jobsAccepted_ = false;
  std::thread commandThread_;
};

}  // namespace lpr::plugins::sink_mqtt
