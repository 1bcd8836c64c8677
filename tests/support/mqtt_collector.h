#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace lpr::testing {

struct CollectedMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
  int qos = 0;
  // Set on a QoS>0 resend by the broker (e.g. after its restart, for a message whose PUBACK
  // from us it never got): a duplicate on the subscriber leg, not from the publisher.
  bool duplicate = false;
};

struct MqttCollectorOptions {
  std::string uri;  // tcp://127.0.0.1:PORT or ssl://...
  std::string topicFilter = "#";
  std::string clientId = "lpr-test-collector";
  // Initialised so that designated initialisers may leave them out without a warning.
  std::string username{};  // empty: anonymous
  std::string password{};
  std::string caFile{};  // trust store for ssl://
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// Subscriber that sees every message published under a topic filter, also across broker
// restarts: it uses a fixed client id with clean_session=false and QoS 1, so what is published
// while it is disconnected (but the broker is up) is queued for it by the broker, and paho
// reconnects it automatically.
class MqttCollector {
 public:
  explicit MqttCollector(MqttCollectorOptions options);
  ~MqttCollector();
  MqttCollector(const MqttCollector&) = delete;
  MqttCollector& operator=(const MqttCollector&) = delete;

  // Connects and subscribes; returns once the broker confirmed the subscription (throws
  // mqtt::exception otherwise).
  void start();
  void stop();
  bool connected() const;

  std::size_t count() const;
  std::vector<CollectedMessage> messages() const;
  // Messages on exactly this topic.
  std::vector<CollectedMessage> messages(const std::string& topic) const;
  bool waitForCount(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void clear();

 private:
  MqttCollectorOptions options_;
  std::unique_ptr<mqtt::async_client> client_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<CollectedMessage> messages_;
};

}  // namespace lpr::testing
