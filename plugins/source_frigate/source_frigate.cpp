#include "source_frigate.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <ostream>
#include <vector>

#include "bus/ingest.h"
#include "metrics/metrics.h"
#include "webhook/read_result.h"

namespace lpr::plugins::source_frigate {
namespace {

using namespace std::chrono_literals;

constexpr int kQos = 1;

const char* const kErrorsMetric = "lpr_input_errors_total";
const char* const kErrorsHelp = "Requests a source plugin rejected, by kind";
const char* const kReadsMetric = "lpr_mqtt_source_reads_total";
const char* const kReadsHelp = "Plate reads an MQTT source handed to the store, by result";
const char* const kIgnoredMetric = "lpr_mqtt_source_ignored_total";
const char* const kIgnoredHelp =
    "Well-formed MQTT messages that carried no plate read (other objects, unchanged plates)";
const char* const kErrorKinds[] = {"malformed_json", "missing_field", "bad_value", "store"};

std::string topicPrefixProblem(const std::string& prefix) {
  if (prefix.empty()) return "empty";
  if (prefix.find_first_of("+#") != std::string::npos) return "contains + or #";
  if (prefix.front() == '/' || prefix.back() == '/') return "starts or ends with /";
  return {};
}

}  // namespace

SourceFrigate::SourceFrigate() = default;

SourceFrigate::~SourceFrigate() { stop(); }

void SourceFrigate::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  mqtt_link::readConnectionSettings(config, connection_,
                                    "lpr-gateway-" + ctx.gatewayId() + "-" + ctx.instanceId());
  options_.topicPrefix = config.getString("topic_prefix", options_.topicPrefix);
  if (auto why = topicPrefixProblem(options_.topicPrefix); !why.empty()) {
    config.problem("topic_prefix", options_.topicPrefix,
                   "Frigate's mqtt.topic_prefix, MQTT topic levels (" + why + ")");
  }
  cleanSession_ = config.getBool("clean_session", cleanSession_);
  accessPoint_ = static_cast<int>(config.getInt("access_point", accessPoint_, 0, 1));

  mqtt_link::SubscriberOptions subscription;
  subscription.connection = connection_;
  subscription.topics = {options_.topicPrefix + "/tracked_object_update",
                         options_.topicPrefix + "/events"};
  subscription.cleanSession = cleanSession_;
  subscription.aclKeys = config.fullKey("username") + " and " + config.fullKey("topic_prefix");
  subscriber_ = std::make_unique<mqtt_link::Subscriber>(
      ctx, std::move(subscription),
      [this](const std::string& topic, const std::string& payload) { onMessage(topic, payload); });

  const Labels labels{{"plugin", ctx.instanceId()}};
  std::weak_ptr<const std::atomic<bool>> connected = subscriber_->connectedFlag();
  ctx.metrics().gauge("lpr_mqtt_source_connected",
                      "1 while an MQTT source is connected to its broker and subscribed", labels,
                      [connected] {
                        auto flag = connected.lock();
                        return flag && flag->load() ? 1.0 : 0.0;
                      });
  for (const char* kind : kErrorKinds) {
    ctx.metrics().counter(kErrorsMetric, kErrorsHelp,
                          {{"plugin", ctx.instanceId()}, {"kind", kind}});
  }
  for (const char* result : kReadResults) {
    ctx.metrics().counter(kReadsMetric, kReadsHelp,
                          {{"plugin", ctx.instanceId()}, {"result", result}});
  }
  ctx.metrics().counter(kIgnoredMetric, kIgnoredHelp, labels);
  configured_ = true;
}

StartResult SourceFrigate::start() {
  if (!ctx_ || !configured_) return StartResult::fatal("start() before configure()");
  return subscriber_->start(false);
}

void SourceFrigate::stop() noexcept {
  if (subscriber_) subscriber_->stop();
}

void SourceFrigate::describe(std::ostream& out) const {
  mqtt_link::describeConnection(out, connection_);
  out << "topic_prefix = " << options_.topicPrefix << "\n"
      << "topics = " << options_.topicPrefix << "/tracked_object_update, " << options_.topicPrefix
      << "/events (QoS " << kQos << ")\n"
      << "clean_session = " << (cleanSession_ ? "true" : "false") << "\n"
      << "access_point = " << accessPoint_ << "\n";
}

Health SourceFrigate::health() const {
  if (subscriber_ && subscriber_->connected()) {
    return Health::ok("connected to " + connection_.broker + ", subscribed to " +
                      options_.topicPrefix + "/tracked_object_update and /events");
  }
  const std::string error = subscriber_ ? subscriber_->lastError() : std::string();
  return Health::degraded("not connected to broker " + connection_.broker +
                          (error.empty() ? std::string() : ": " + error));
}

void SourceFrigate::onMessage(const std::string& topic, const std::string& payload) {
  // paho's thread. QoS 1 is acknowledged when this returns, so the read is stored first.
  try {
    Conversion conversion = convertFrigateMessage(topic, payload, options_, Clock::now());
    if (conversion.error) {
      const InputError& error = *conversion.error;
      count(kErrorsMetric, kErrorsHelp, "kind", error.kind);
      throttle_.warn(ctx_->logger(), error.kind,
                     "refused message topic=" + topic + " kind=" + error.kind + " field=\"" +
                         error.field + "\" reason=\"" + error.message + "\"");
      return;
    }
    if (conversion.reads.empty()) {
      count(kIgnoredMetric, kIgnoredHelp, "", "");
      if (ctx_->logger().debug()) {
        ctx_->logger().debug("message without a read topic=%s reason=\"%s\"", topic,
                             conversion.ignored);
      }
      return;
    }
    ingest(conversion, topic);
  } catch (const std::exception& e) {
    // Nothing may escape into paho's thread.
    ctx_->logger().error("message not handled topic=%s error=\"%s\"", topic, std::string(e.what()));
  }
}

void SourceFrigate::ingest(Conversion& conversion, const std::string& topic) {
  for (auto& read : conversion.reads) {
    PlateEvent& event = read.event;
    event.sourceId = ctx_->instanceId();
    event.accessPoint = accessPoint_;
    const std::string masked = ctx_->maskPlate(event.plate);
    const std::string vehicle = event.vehicleId;
    const IngestResult result =
        ctx_->ingest().submit(std::move(event), read.image, read.imageExtension);
    const char* status = readResultLabel(result.status);
    count(kReadsMetric, kReadsHelp, "result", status);
    if (result.status == IngestResult::Status::Failed) {
      // MQTT 3.1.1 has no negative acknowledgement: the message is acknowledged anyway.
      count(kErrorsMetric, kErrorsHelp, "kind", "store");
      throttle_.warn(ctx_->logger(), "store",
                     "read lost, the store refused it plate=\"" + masked + "\" object=" + vehicle +
                         " error=\"" + result.error + "\"");
      continue;
    }
    if (ctx_->logger().debug()) {
      ctx_->logger().debug("read plate=\"%s\" object=%s topic=%s status=%s event=%s", masked,
                           vehicle, topic, std::string(status), result.eventId);
    }
  }
}

void SourceFrigate::count(const char* metric, const char* help, const std::string& label,
                          const std::string& value) {
  Labels labels{{"plugin", ctx_->instanceId()}};
  if (!label.empty()) labels.push_back({label, value});
  ctx_->metrics().counter(metric, help, labels).inc();
}

const PluginDescriptor kDescriptor{
    "source_frigate", PluginKind::Source,
    "Frigate NVR licence plate reads over MQTT (tracked_object_update type lpr, events)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceFrigate>(); }};

}  // namespace lpr::plugins::source_frigate
