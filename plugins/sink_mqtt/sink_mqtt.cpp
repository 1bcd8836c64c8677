#include "sink_mqtt.h"

#include <Poco/Logger.h>
#include <mqtt/async_client.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <set>

#include "gate/gate_control.h"
#include "gate_command.h"
#include "metrics/metrics.h"

#ifndef LPR_SINK_MQTT_VERSION
#define LPR_SINK_MQTT_VERSION "0"
#endif

namespace lpr::plugins::sink_mqtt {
namespace {

using namespace std::chrono_literals;

// The longest retry hint given with a Retry while the broker is unreachable.
constexpr std::chrono::milliseconds kMaxRetryHint = 30s;
constexpr const char* kOnline = "online";
constexpr const char* kOffline = "offline";
// Commands waiting for the command thread; more are refused rather than queued for later.
// The messages of one event: the event topic, its gate's event topic, its gate's retained last.
constexpr int kEventPart = 0, kGatePart = 1, kLastPart = 2;
constexpr std::size_t kMaxQueuedCommands = 16;
// A command older than this when its turn comes is refused: a late open is worse than none.
constexpr auto kCommandMaxAge = 5s;
constexpr const char* kOpenResults[] = {"opened", "no_barrier", "failed", "malformed", "refused"};

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

}  // namespace

SinkMqtt::SinkMqtt() : connected_(std::make_shared<std::atomic<bool>>(false)) {}

SinkMqtt::~SinkMqtt() { stop(); }

void SinkMqtt::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  const std::string& gatewayId = ctx.gatewayId();

  mqtt_link::readConnectionSettings(config, settings_,
                                    "lpr-gateway-" + gatewayId + "-" + ctx.instanceId());
  settings_.message.gatewayId = gatewayId;
  settings_.message.topicPrefix = config.getString("topic_prefix", "lpr");
  if (auto why = topicPrefixProblem(settings_.message.topicPrefix); !why.empty()) {
    config.problem("topic_prefix", settings_.message.topicPrefix,
                   "MQTT topic levels (" + why + ")");
  }
  if (auto why = topicLevelProblem(gatewayId); !why.empty()) {
    config.problems().add("gateway.id = \"" + gatewayId + "\" is used as an MQTT topic level by " +
                          config.prefix() + " and " + why);
  }
  settings_.qos = static_cast<int>(config.getInt("qos", settings_.qos, 0, 2));
  settings_.publishTimeoutMs = static_cast<int>(
      config.getInt("publish_timeout_ms", settings_.publishTimeoutMs, 100, 600000));
  settings_.message.maskPlate = config.getBool("mask_plate", false);
  settings_.maxInflight =
      static_cast<int>(config.getInt("max_inflight", settings_.maxInflight, 1, 65535));
  settings_.message.snapshotBaseUrl = config.getString("snapshot_base_url", "");
  {
    const std::string& base = settings_.message.snapshotBaseUrl;
    if (!base.empty() && ((base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) ||
                          base.find_first_of(" ?#") != std::string::npos)) {
      config.problem("snapshot_base_url", base,
                     "empty, or the gateway's HTTP(S) base URL as consumers reach it, e.g. "
                     "http://192.168.1.10:8080");
    }
  }
  settings_.gateCommands = config.getBool("gate_commands", settings_.gateCommands);
  settings_.ha.discovery = config.getBool("ha.discovery", settings_.ha.discovery);
  settings_.ha.prefix = config.getString("ha.prefix", settings_.ha.prefix);
  if (auto why = topicPrefixProblem(settings_.ha.prefix); !why.empty()) {
    config.problem("ha.prefix", settings_.ha.prefix, "MQTT topic levels (" + why + ")");
  }
  settings_.ha.presenceHoldS =
      static_cast<int>(config.getInt("ha.presence_hold_s", settings_.ha.presenceHoldS, 1, 86400));
  {
    std::vector<std::string> fallback;
    for (int gate : settings_.ha.gates) fallback.push_back(std::to_string(gate));
    std::vector<int> gates;
    for (const auto& item : config.getList("ha.gates", fallback)) {
      if (item.empty() || item.size() > 4 ||
          item.find_first_not_of("0123456789") != std::string::npos) {
        config.problem("ha.gates", item, "access point numbers separated by commas, e.g. 0,1");
        continue;
      }
      gates.push_back(std::stoi(item));
    }
    settings_.ha.gates = gates;
  }
  statusTopic_ = statusTopic(settings_.message);
  version_ = LPR_SINK_MQTT_VERSION;
  reconnector_ =
      std::make_unique<mqtt_link::Reconnector>(ctx.logger(), settings_.broker, connected_);

  const Labels labels{{"plugin", ctx.instanceId()}};
  std::weak_ptr<std::atomic<bool>> connected = connected_;
  ctx.metrics().gauge("lpr_mqtt_connected", "1 while the MQTT sink is connected to its broker",
                      labels, [connected] {
                        auto flag = connected.lock();
                        return flag && flag->load() ? 1.0 : 0.0;
                      });
  publishErrors_ = &ctx.metrics().counter(
      "lpr_mqtt_publish_errors_total",
      "MQTT publishes not confirmed by the broker (returned as Retry)", labels);
  for (const char* result : kOpenResults) {
    openRequests_[result] =
        &ctx.metrics().counter("lpr_gate_open_requests_total",
                               "Requests to open a gate by hand (MQTT command topic), by result",
                               {{"plugin", ctx.instanceId()}, {"result", result}});
  }
}

StartResult SinkMqtt::start() {
  if (ctx_ == nullptr) return StartResult::fatal("start() before configure()");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_) return StartResult::ok();
  }
  if (std::string unreadable = mqtt_link::unreadableTlsFile(ctx_->config(), settings_);
      !unreadable.empty()) {
    return StartResult::fatal(unreadable);
  }

  if (!connectOptions_) {
    auto builder = mqtt_link::connectOptions(settings_);
    builder
        // Clean session: the broker keeps nothing of ours across connections either.
        .clean_session(true)
        // A batch is up to three messages per event (event, gate event, gate last); the
        // margin keeps the status, discovery and command results from failing a batch.
        .max_inflight(3 * settings_.maxInflight + 64)
        .will(mqtt::message(statusTopic_, kOffline, 1, true));
    connectOptions_ = std::make_unique<mqtt::connect_options>(builder.finalize());
  }

  {
    // Commands that come with the connection wait for the command thread started below.
    std::lock_guard<std::mutex> lock(jobsMutex_);
    jobs_.clear();
    jobsAccepted_ = true;
  }
  std::string error = connectOnce();
  if (!error.empty()) {
    // Not logged here: the host logs the reason once per distinct value.
    reconnector_->failed(error);
    return StartResult::retryLater(error);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = true;
    stopping_ = false;
  }
  reconnector_->start({[this] { return connectOnce(); },
                       [this] {
                         std::shared_ptr<mqtt::async_client> client = currentClient();
                         return client && client->is_connected();
                       }});
  startCommandThread();
  return StartResult::ok();
}

std::string SinkMqtt::connectOnce() {
  std::lock_guard<std::mutex> connectLock(connectMutex_);
  std::shared_ptr<mqtt::async_client> previous = currentClient();
  if (previous && previous->is_connected()) return {};
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    previous = std::move(client_);
    generation = ++generation_;
  }
  // Destroying the old client (here, or when the last delivery using it returns) discards the
  // publishes it still had queued; they were reported as Retry and must not go out late.
  previous.reset();

  std::shared_ptr<mqtt::async_client> client;
  try {
    mqtt::create_options createOptions(MQTTVERSION_3_1_1);
    // paho refuses publishes beyond this many queued-but-unsent ones (default 100), connected
    // or not; a whole batch must fit.
    createOptions.set_max_buffered_messages(3 * settings_.maxInflight + 64);
    client = std::make_shared<mqtt::async_client>(settings_.broker, settings_.clientId,
                                                  createOptions, nullptr);
  } catch (const mqtt::exception& e) {
    return ctx_->config().fullKey("broker") + " = \"" + settings_.broker +
           "\" is not usable: " + e.what();
  }
  client->set_connection_lost_handler(
      [this, generation](const std::string& cause) { onConnectionLost(generation, cause); });
  client->set_message_callback([this](mqtt::const_message_ptr message) {
    // paho's thread: queue only; a barrier pulse would hold up every acknowledgement.
    onMessage(message->get_topic(), message->to_string(), message->is_retained());
  });
  try {
    auto token = client->connect(*connectOptions_);
    // paho enforces connect_timeout itself; the margin covers its whole-second rounding.
    if (!token->wait_for(std::chrono::milliseconds(settings_.connectTimeoutMs) + 2s)) {
      return "no answer from broker " + settings_.broker + " within " +
             std::to_string(settings_.connectTimeoutMs) + " ms";
    }
  } catch (const mqtt::exception& e) {
    return explainConnectError(e.get_return_code(), e.what());
  }
  try {
    client->publish(statusTopic_, kOnline, std::strlen(kOnline), 1, true)
        ->wait_for(std::chrono::milliseconds(settings_.publishTimeoutMs));
  } catch (const mqtt::exception& e) {
    // Events matter more than the status line; the connection-lost path handles a dead link.
    ctx_->logger().warning("MQTT status \"online\" not published topic=%s error=\"%s\"",
                           statusTopic_, std::string(e.what()));
  }
  if (!client->is_connected()) return "connection to broker " + settings_.broker + " lost";
  {
    // A loss between the check above and here is caught by reconnectLoop's periodic check.
    std::lock_guard<std::mutex> lock(mutex_);
    client_ = client;
    connected_->store(true);
  }
  // A fresh client with a clean session has no subscriptions: make them on every connection,
  // once the client is current, so that the results of the commands they bring can go out.
  subscribe(client);
  publishDiscovery(client);
  ctx_->logger().information("MQTT connected broker=%s client_id=%s qos=%d", settings_.broker,
                             settings_.clientId, settings_.qos);
  return {};
}

std::string SinkMqtt::explainConnectError(int rc, const std::string& detail) {
  return mqtt_link::explainConnectError(ctx_->config(), settings_, rc, detail);
}

void SinkMqtt::onConnectionLost(std::uint64_t generation, const std::string& cause) {
  // Runs on paho's thread: flag and wake only. The client is destroyed elsewhere, as paho
  // cannot destroy a client from inside its own callback.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (generation != generation_) return;
    connected_->store(false);
    if (stopping_ || !running_) return;
    // Under our lock, so that it cannot land after the reconnector has already connected again
    // (the reconnector never holds its own lock while it calls into us).
    reconnector_->lost();
  }
  ctx_->logger().warning(
      "MQTT disconnected broker=%s cause=\"%s\"; deliveries are retried, reconnecting",
      settings_.broker, cause.empty() ? std::string("connection lost") : cause);
}

void SinkMqtt::dropConnection(const std::shared_ptr<mqtt::async_client>& client,
                              const std::string& why) {
  std::shared_ptr<mqtt::async_client> dropped;  // destroyed after the lock is released
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Already replaced, or lost (then the next connect discards it).
    if (client_ != client || !connected_->load()) return;
    dropped = std::move(client_);
    ++generation_;
    reconnector_->lost();
  }
  ctx_->logger().warning("MQTT dropping connection broker=%s: %s; reconnecting", settings_.broker,
                         why);
}

std::shared_ptr<mqtt::async_client> SinkMqtt::currentClient() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connected_->load() ? client_ : nullptr;
}

std::chrono::milliseconds SinkMqtt::retryHint() {
  return std::clamp<std::chrono::milliseconds>(reconnector_->untilNextAttempt(), 100ms,
                                               kMaxRetryHint);
}

void SinkMqtt::stop() noexcept {
  try {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!running_) return;
      stopping_ = true;
    }
    stopCommandThread();
    reconnector_->stop();
    std::lock_guard<std::mutex> connectLock(connectMutex_);
    std::shared_ptr<mqtt::async_client> client;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      client = std::move(client_);
      ++generation_;
      connected_->store(false);
    }
    if (client && client->is_connected()) {
      const auto timeout = std::chrono::milliseconds(settings_.publishTimeoutMs);
      try {
        // A clean disconnect does not fire the will, so say it ourselves.
        client->publish(statusTopic_, kOffline, std::strlen(kOffline), 1, true)->wait_for(timeout);
      } catch (const mqtt::exception&) {
      }
      try {
        client->disconnect(static_cast<int>(timeout.count()))->wait_for(timeout + 1s);
      } catch (const mqtt::exception&) {
      }
    }
    client.reset();
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    stopping_ = false;
    ctx_->logger().information("MQTT disconnected broker=%s (stopped)", settings_.broker);
  } catch (...) {
    // stop() must not throw; nothing useful is left to do here.
  }
}

void SinkMqtt::describe(std::ostream& out) const {
  mqtt_link::describeConnection(out, settings_);
  out << "topic_prefix = " << settings_.message.topicPrefix << "\n"
      << "event topic = " << eventTopic(settings_.message) << "\n"
      << "status topic = " << statusTopic_ << "\n"
      << "qos = " << settings_.qos << "\n"
      << "publish_timeout_ms = " << settings_.publishTimeoutMs << "\n"
      << "mask_plate = " << (settings_.message.maskPlate ? "true" : "false") << "\n"
      << "max_inflight = " << settings_.maxInflight << "\n"
      << "snapshot_base_url = " << settings_.message.snapshotBaseUrl << "\n"
      << "gate_commands = " << (settings_.gateCommands ? "true" : "false") << "\n"
      << "ha.discovery = " << (settings_.ha.discovery ? "true" : "false") << "\n"
      << "ha.prefix = " << settings_.ha.prefix << "\n"
      << "ha.presence_hold_s = " << settings_.ha.presenceHoldS << "\n"
      << "ha.gates = " << join(settings_.ha.gates) << "\n";
}

Health SinkMqtt::health() const {
  if (connected_->load()) return Health::ok("connected to " + settings_.broker);
  const std::string error = reconnector_ ? reconnector_->lastError() : std::string();
  return Health::degraded("broker unreachable " + settings_.broker +
                          (error.empty() ? std::string() : ": " + error));
}

Delivery SinkMqtt::deliver(const PlateEvent& event) {
  return deliverBatch(std::vector<PlateEvent>{event}).front();
}

std::vector<Delivery> SinkMqtt::deliverBatch(const std::vector<PlateEvent>& events) {
  std::vector<Delivery> out(events.size());
  std::shared_ptr<mqtt::async_client> client = currentClient();
  if (!client || !client->is_connected()) {
    const std::string error = reconnector_->lastError();
    const std::string why = "not connected to broker " + settings_.broker +
                            (error.empty() ? std::string() : ": " + error);
    const auto after = retryHint();
    for (auto& delivery : out) delivery = Delivery::retry(why, after);
    return out;
  }

  // The event of each gate that goes to its retained last topic: the newest of the batch, and
  // only if no newer one is there already (an older event may come again after a Retry).
  std::map<int, std::size_t> newest;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < events.size(); ++i) {
      const PlateEvent& event = events[i];
      auto confirmed = lastSeq_.find(event.accessPoint);
      if (confirmed != lastSeq_.end() && event.seq < confirmed->second) continue;
      auto it = newest.find(event.accessPoint);
      if (it == newest.end() || events[it->second].seq <= event.seq) {
        newest[event.accessPoint] = i;
      }
    }
  }

  // Publish all first so that the confirmations of the batch overlap, then collect them.
  struct Sent {
    std::size_t event;
    mqtt::delivery_token_ptr token;
    int part;  // kEventPart, kGatePart, kLastPart
  };
  std::vector<Sent> sent;
  sent.reserve(events.size() * 3);
  // The parts of events that broker confirmed before their event had to be retried: sent once.
  std::map<std::string, std::set<int>> confirmedBefore;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& event : events) {
      auto it = partlyConfirmed_.find(event.id);
      if (it != partlyConfirmed_.end()) confirmedBefore[event.id] = it->second;
    }
  }
  std::uint64_t errors = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const PlateEvent& event = events[i];
    MqttEventMessage message;
    try {
      message = toMqttEventMessage(event, settings_.message);
    } catch (const std::exception& e) {
      out[i] = Delivery::reject(std::string("cannot encode event as JSON: ") + e.what());
      continue;
    }
    const auto it = newest.find(event.accessPoint);
    const bool last = it != newest.end() && it->second == i;
    const std::set<int>& done = confirmedBefore[event.id];
    try {
      if (!done.count(kEventPart)) {
        sent.push_back({i,
                        client->publish(message.topic, message.payload.data(),
                                        message.payload.size(), settings_.qos, false),
                        kEventPart});
      }
      if (!done.count(kGatePart)) {
        sent.push_back(
            {i,
             client->publish(gateEventTopic(settings_.message, event.accessPoint),
                             message.payload.data(), message.payload.size(), settings_.qos, false),
             kGatePart});
      }
      if (last && !done.count(kLastPart)) {
        sent.push_back(
            {i,
             client->publish(gateLastTopic(settings_.message, event.accessPoint),
                             message.payload.data(), message.payload.size(), settings_.qos, true),
             kLastPart});
      }
    } catch (const mqtt::exception& e) {
      // The parts that went out and are confirmed below are not sent again.
      out[i] = Delivery::retry(std::string("publish failed: ") + e.what());
      ++errors;
    }
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.publishTimeoutMs);
  std::size_t timedOut = 0;
  std::map<int, std::int64_t> confirmedLast;
  std::map<std::size_t, std::set<int>> confirmedNow;
  for (const Sent& one : sent) {
    Delivery& delivery = out[one.event];
    try {
      if (one.token->wait_until(deadline)) {
        confirmedNow[one.event].insert(one.part);
        if (one.part == kLastPart) {
          confirmedLast[events[one.event].accessPoint] = events[one.event].seq;
        }
      } else {
        ++timedOut;
        if (delivery.kind == Delivery::Kind::Ok) {
          delivery =
              Delivery::retry("no confirmation from broker " + settings_.broker + " within " +
                              std::to_string(settings_.publishTimeoutMs) + " ms");
        }
      }
    } catch (const mqtt::exception& e) {
      // After a connection loss paho fails in-flight publishes with -11 (incomplete).
      ++errors;
      if (delivery.kind == Delivery::Kind::Ok) {
        delivery = Delivery::retry(std::string("publish not confirmed: ") + e.what());
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [gate, seq] : confirmedLast) {
      auto& known = lastSeq_[gate];
      known = std::max(known, seq);
    }
    // An event retried with some of its messages confirmed must not publish those twice.
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (out[i].kind == Delivery::Kind::Retry) {
        auto& parts = partlyConfirmed_[events[i].id];
        parts.insert(confirmedNow[i].begin(), confirmedNow[i].end());
        if (parts.empty()) partlyConfirmed_.erase(events[i].id);
      } else {
        partlyConfirmed_.erase(events[i].id);
      }
    }
    // Retried events are the head of the queue, so this stays small; bound it all the same.
    if (partlyConfirmed_.size() > 100000) partlyConfirmed_.clear();
  }
  if (timedOut > 0) {
    dropConnection(client, std::to_string(timedOut) + " publishes not confirmed within " +
                               std::to_string(settings_.publishTimeoutMs) + " ms");
  }
  errors += timedOut;
  if (errors > 0 && publishErrors_ != nullptr) publishErrors_->inc(errors);
  return out;
}

void SinkMqtt::subscribe(const std::shared_ptr<mqtt::async_client>& client) {
  // QoS 0: a command is acted on at most once; one lost with the link is better than one that
  // arrives twice or late.
  std::vector<std::string> filters;
  if (settings_.gateCommands) filters.push_back(gateOpenFilter(settings_.message));
  if (settings_.ha.discovery) filters.push_back(haStatusTopic(settings_.ha));
  for (const auto& filter : filters) {
    try {
      if (!client->subscribe(filter, 0)->wait_for(
              std::chrono::milliseconds(settings_.publishTimeoutMs))) {
        ctx_->logger().error("MQTT subscription not confirmed topic=%s broker=%s", filter,
                             settings_.broker);
      }
    } catch (const mqtt::exception& e) {
      // A broker ACL that denies the subscription answers with a failure code.
      ctx_->logger().error(
          "MQTT subscription refused topic=%s broker=%s error=\"%s\"; check the broker's ACL "
          "for this client",
          filter, settings_.broker, std::string(e.what()));
    }
  }
}

void SinkMqtt::publishDiscovery(const std::shared_ptr<mqtt::async_client>& client) {
  if (!settings_.ha.discovery) return;
  DiscoveryInput input;
  input.message = settings_.message;
  input.ha = settings_.ha;
  // Read now, not in configure(): barriers register in their own configure(), in any order.
  input.barrierGates = ctx_->gates().accessPoints();
  input.openCommands = settings_.gateCommands;
  input.version = version_;
  const auto messages = haDiscoveryMessages(input);
  std::vector<mqtt::delivery_token_ptr> tokens;
  std::string failure;
  try {
    for (const auto& message : messages) {
      tokens.push_back(
          client->publish(message.topic, message.payload.data(), message.payload.size(), 1, true));
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.publishTimeoutMs);
    for (const auto& token : tokens) {
      if (!token->wait_until(deadline)) {
        failure = "not confirmed in time";
        break;
      }
    }
  } catch (const mqtt::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    ctx_->logger().warning(
        "HA discovery not published prefix=%s error=\"%s\"; sent again on the "
        "next connection or HA restart",
        settings_.ha.prefix, failure);
    return;
  }
  ctx_->logger().information("HA discovery published prefix=%s node=%s gates=%s messages=%z",
                             settings_.ha.prefix, haNodeId(settings_.message.gatewayId),
                             join(haGates(input)), messages.size());
}

void SinkMqtt::onMessage(const std::string& topic, const std::string& payload, bool retained) {
  bool accepted = false;
  {
    std::lock_guard<std::mutex> lock(jobsMutex_);
    if (!jobsAccepted_) return;
    if (jobs_.size() < kMaxQueuedCommands) {
      jobs_.push_back({topic, payload.substr(0, kMaxCommandBytes + 1), retained,
                       std::chrono::steady_clock::now()});
      accepted = true;
    }
  }
  if (accepted) {
    jobsChanged_.notify_all();
    return;
  }
  if (topic != haStatusTopic(settings_.ha)) {
    ctx_->logger().warning("gate command refused topic=%s: %z commands already waiting", topic,
                           kMaxQueuedCommands);
    countOpen("refused");
  }
}

void SinkMqtt::startCommandThread() {
  std::lock_guard<std::mutex> lock(jobsMutex_);
  if (commandThread_.joinable()) return;
  jobsStop_ = false;
  commandThread_ = std::thread([this] { commandLoop(); });
}

void SinkMqtt::stopCommandThread() {
  {
    std::lock_guard<std::mutex> lock(jobsMutex_);
    jobsStop_ = true;
    jobsAccepted_ = false;
  }
  jobsChanged_.notify_all();
  if (commandThread_.joinable()) commandThread_.join();
  std::lock_guard<std::mutex> lock(jobsMutex_);
  jobs_.clear();
}

void SinkMqtt::commandLoop() {
  std::unique_lock<std::mutex> lock(jobsMutex_);
  while (true) {
    jobsChanged_.wait(lock, [&] { return jobsStop_ || !jobs_.empty(); });
    if (jobsStop_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    try {
      if (job.topic == haStatusTopic(settings_.ha)) {
        // HA announces its (re)start with a non-retained "online"; a retained one is old news.
        if (!job.retained && job.payload == "online") {
          if (auto client = currentClient()) publishDiscovery(client);
        }
      } else {
        handleOpen(job);
      }
    } catch (const std::exception& e) {
      ctx_->logger().error("MQTT message not handled topic=%s error=\"%s\"", job.topic,
                           std::string(e.what()));
    }
    lock.lock();
  }
}

void SinkMqtt::countOpen(const std::string& result) {
  auto it = openRequests_.find(result);
  if (it != openRequests_.end()) it->second->inc();
}

void SinkMqtt::handleOpen(const Job& job) {
  const std::string requestedBy = "mqtt:" + job.topic;
  OpenCommand command = parseOpenCommand(settings_.message, job.topic, job.payload);
  std::string result;
  std::string detail;
  if (job.retained) {
    // A retained command would open the gate on every reconnect.
    result = "refused";
    detail = "retained command ignored; clear it with: mosquitto_pub -r -n -t '" + job.topic + "'";
    ctx_->logger().warning("gate open refused by=%s: %s", requestedBy, detail);
  } else if (!command.error.empty()) {
    result = "malformed";
    detail = command.error;
    ctx_->logger().error("gate open command malformed by=%s: %s", requestedBy, detail);
  } else if (std::chrono::steady_clock::now() - job.received > kCommandMaxAge) {
    result = "refused";
    detail = "waited too long for its turn; a late opening is worse than none";
    ctx_->logger().warning("gate open refused by=%s access_point=%d: %s", requestedBy,
                           *command.accessPoint, detail);
  } else {
    OpenRequest request;
    request.accessPoint = *command.accessPoint;
    request.requestedBy = requestedBy;
    request.reason = command.reason.empty() ? "manual open by MQTT command" : command.reason;
    ctx_->logger().notice(
        "gate open requested access_point=%d by=%s reason=\"%s\"%s", request.accessPoint,
        requestedBy, request.reason,
        command.requestId.empty() ? std::string() : " request_id=\"" + command.requestId + "\"");
    OpenResult opened;
    try {
      opened = ctx_->gates().open(request);
    } catch (const std::exception& e) {
      opened = {OpenResult::Kind::Failed, std::string("barrier threw: ") + e.what()};
    }
    result = toString(opened.kind);
    detail = opened.detail;
    if (opened.kind == OpenResult::Kind::Opened) {
      ctx_->logger().information("gate open result access_point=%d result=%s detail=\"%s\"",
                                 request.accessPoint, result, detail);
    } else {
      ctx_->logger().warning("gate open result access_point=%d result=%s detail=\"%s\"",
                             request.accessPoint, result, detail);
    }
  }
  countOpen(result);

  const std::string payload = openResultPayload(command, result, detail, requestedBy, Clock::now());
  auto client = currentClient();
  if (!client) {
    ctx_->logger().warning("gate open result not published topic=%s/result: not connected",
                           job.topic);
    return;
  }
  try {
    client->publish(job.topic + "/result", payload.data(), payload.size(), 1, false)
        ->wait_for(std::chrono::milliseconds(settings_.publishTimeoutMs));
  } catch (const mqtt::exception& e) {
    ctx_->logger().warning("gate open result not published topic=%s/result error=\"%s\"", job.topic,
                           std::string(e.what()));
  }
}

const PluginDescriptor kDescriptor{
    "sink_mqtt", PluginKind::Sink,
    "Publish LicensePlateRecognized events as JSON to an MQTT broker (Paho MQTT C++)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SinkMqtt>(); }};

}  // namespace lpr::plugins::sink_mqtt
