#include "mqtt_subscriber.h"

#include <Poco/Logger.h>
#include <mqtt/async_client.h>

namespace lpr::mqtt_link {
namespace {

using namespace std::chrono_literals;

constexpr int kQos = 1;

std::string joined(const std::vector<std::string>& topics, const char* separator) {
  std::string out;
  for (const auto& topic : topics) out += (out.empty() ? "" : separator) + topic;
  return out;
}

}  // namespace

Subscriber::Subscriber(PluginContext& ctx, SubscriberOptions options, OnMessage onMessage)
    : ctx_(ctx),
      options_(std::move(options)),
      onMessage_(std::move(onMessage)),
      connected_(std::make_shared<std::atomic<bool>>(false)),
      reconnector_(ctx.logger(), options_.connection.broker, connected_) {}

Subscriber::~Subscriber() { stop(); }

StartResult Subscriber::start(bool background) {
  if (running_) return StartResult::ok();
  if (std::string unreadable = unreadableTlsFile(ctx_.config(), options_.connection);
      !unreadable.empty()) {
    return StartResult::fatal(unreadable);
  }
  if (!client_) {
    auto builder = connectOptions(options_.connection);
    builder.clean_session(options_.cleanSession);
    connectOptions_ = std::make_unique<mqtt::connect_options>(builder.finalize());
    try {
      client_ = std::make_unique<mqtt::async_client>(options_.connection.broker,
                                                     options_.connection.clientId, nullptr);
    } catch (const mqtt::exception& e) {
      return StartResult::fatal(ctx_.config().fullKey(options_.connection.keyPrefix + "broker") +
                                " = \"" + options_.connection.broker +
                                "\" is not usable: " + e.what());
    }
    client_->set_connection_lost_handler([this](const std::string& cause) {
      // paho's thread: flag and wake only.
      reconnector_.lost();
      ctx_.logger().warning("%s disconnected broker=%s cause=\"%s\"; reconnecting", options_.name,
                            options_.connection.broker,
                            cause.empty() ? std::string("connection lost") : cause);
    });
    client_->set_message_callback([this](mqtt::const_message_ptr message) {
      receive(message->get_topic(), message->to_string());
    });
  }
  const Reconnector::Link link{[this] { return connectOnce(); },
                               [this] { return client_->is_connected(); }};
  if (!background) {
    if (std::string error = connectOnce(); !error.empty()) {
      reconnector_.failed(error);
      return StartResult::retryLater(error);
    }
  }
  reconnector_.start(link);
  running_ = true;
  return StartResult::ok();
}

std::string Subscriber::connectOnce() {
  const ConnectionSettings& connection = options_.connection;
  const auto timeout = std::chrono::milliseconds(connection.connectTimeoutMs);
  try {
    // paho enforces connect_timeout itself; the margin covers its whole-second rounding.
    if (!client_->connect(*connectOptions_)->wait_for(timeout + 2s)) {
      return "no answer from broker " + connection.broker + " within " +
             std::to_string(connection.connectTimeoutMs) + " ms";
    }
  } catch (const mqtt::exception& e) {
    return explainConnectError(ctx_.config(), connection, e.get_return_code(), e.what());
  }
  try {
    // Also with a persistent session: a session the broker lost has no subscriptions.
    const std::vector<int> qos(options_.topics.size(), kQos);
    if (!client_->subscribe(mqtt::string_collection::create(options_.topics), qos)
             ->wait_for(timeout + 2s)) {
      throw mqtt::exception(MQTTASYNC_FAILURE, "no SUBACK in time");
    }
  } catch (const mqtt::exception& e) {
    try {
      client_->disconnect()->wait_for(timeout);
    } catch (const mqtt::exception&) {
    }
    // A broker ACL that denies the subscription answers with a failure code.
    return "broker " + connection.broker + " refused the subscription to " +
           joined(options_.topics, " and ") + ": " + e.what() + "; check the broker's ACL for " +
           options_.aclKeys;
  }
  connected_->store(true);
  ctx_.logger().information("%s connected broker=%s client_id=%s topics=%s", options_.name,
                            connection.broker, connection.clientId, joined(options_.topics, ","));
  return {};
}

void Subscriber::receive(const std::string& topic, const std::string& payload) {
  // paho's thread: nothing may escape into it.
  try {
    onMessage_(topic, payload);
  } catch (const std::exception& e) {
    ctx_.logger().error("%s message on %s not handled error=\"%s\"", options_.name, topic,
                        std::string(e.what()));
  }
}

void Subscriber::stop() noexcept {
  try {
    if (!running_.exchange(false)) return;
    reconnector_.stop();
    connected_->store(false);
    if (client_ && client_->is_connected()) {
      const auto timeout = std::chrono::milliseconds(options_.connection.connectTimeoutMs);
      try {
        client_->disconnect(static_cast<int>(timeout.count()))->wait_for(timeout + 1s);
      } catch (const mqtt::exception&) {
      }
    }
    ctx_.logger().information("%s disconnected broker=%s (stopped)", options_.name,
                              options_.connection.broker);
  } catch (...) {
    // stop() must not throw; nothing useful is left to do here.
  }
}

}  // namespace lpr::mqtt_link
