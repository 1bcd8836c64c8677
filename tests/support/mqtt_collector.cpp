#include "mqtt_collector.h"

#include <mqtt/async_client.h>

namespace lpr::testing {

MqttCollector::MqttCollector(MqttCollectorOptions options) : options_(std::move(options)) {
  // No client-side persistence: the broker keeps the session, which is what the tests rely on.
  client_ = std::make_unique<mqtt::async_client>(options_.uri, options_.clientId);
  client_->set_message_callback([this](mqtt::const_message_ptr message) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.push_back({message->get_topic(), message->to_string(), message->is_retained(),
                           message->get_qos(), message->is_duplicate()});
    }
    arrived_.notify_all();
  });
  client_->set_connected_handler([this](const std::string&) {
    // The session normally keeps the subscription, but a broker killed without saving its
    // persistence forgets it; subscribing again is harmless. Not waited on: this runs on paho's
    // callback thread.
    try {
      client_->subscribe(options_.topicFilter, 1);
    } catch (const mqtt::exception&) {
    }
  });
}

MqttCollector::~MqttCollector() {
  stop();
  // Destroy the client (and with it the callbacks that use this object) before the members.
  client_.reset();
}

void MqttCollector::start() {
  auto builder = mqtt::connect_options_builder()
                     .clean_session(false)
                     .keep_alive_interval(std::chrono::seconds(20))
                     .connect_timeout(options_.timeout)
                     // Whole seconds are the finest paho C offers here.
                     .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(2));
  if (!options_.username.empty()) {
    builder.user_name(options_.username).password(options_.password);
  }
  if (!options_.caFile.empty()) {
    builder.ssl(mqtt::ssl_options_builder().trust_store(options_.caFile).finalize());
  }
  client_->connect(builder.finalize())->wait_for(options_.timeout);
  if (!client_->is_connected()) {
    throw mqtt::exception(MQTTASYNC_FAILURE, "collector could not connect to " + options_.uri);
  }
  // Waited on here so that a test may publish as soon as start() returns.
  if (!client_->subscribe(options_.topicFilter, 1)->wait_for(options_.timeout)) {
    throw mqtt::exception(MQTTASYNC_FAILURE, "collector subscription not confirmed");
  }
}

void MqttCollector::stop() {
  if (!client_) return;
  try {
    // A disconnect also ends paho's automatic reconnect loop.
    client_->disconnect(std::chrono::milliseconds(1000))->wait_for(options_.timeout);
  } catch (const mqtt::exception&) {
  }
}

bool MqttCollector::connected() const { return client_ && client_->is_connected(); }

std::size_t MqttCollector::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_.size();
}

std::vector<CollectedMessage> MqttCollector::messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

std::vector<CollectedMessage> MqttCollector::messages(const std::string& topic) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<CollectedMessage> out;
  for (const auto& message : messages_) {
    if (message.topic == topic) out.push_back(message);
  }
  return out;
}

bool MqttCollector::waitForCount(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

void MqttCollector::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  messages_.clear();
}

}  // namespace lpr::testing
