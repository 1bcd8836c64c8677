#include "plugin/plugin_host.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/RegularExpression.h>
#include <Poco/Util/AbstractConfiguration.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "bus/pipeline.h"
#include "bus/sink_runner.h"
#include "http/http_router.h"
#include "metrics/metrics.h"
#include "plugin/plugin_registry.h"
#include "storage/event_store.h"

namespace lpr {

std::string maskPlate(const std::string& plate) {
  if (plate.size() <= 4) return std::string(plate.size(), '*');
  return plate.substr(0, 2) + std::string(plate.size() - 4, '*') + plate.substr(plate.size() - 2);
}

namespace {

std::string kindName(PluginKind kind) {
  switch (kind) {
    case PluginKind::Source:
      return "source";
    case PluginKind::Processor:
      return "processor";
    default:
      return "sink";
  }
}

// Stamps the instance id on every event a source submits, so no source can forge another's.
class SourceIngest : public Ingest {
 public:
  SourceIngest(std::string id, const HostServices& services)
      : id_(std::move(id)), services_(services) {}
  IngestResult submit(PlateEvent event, std::string_view image,
                      std::string_view imageExtension) override {
    event.sourceId = id_;
    return services_.pipeline->submit(std::move(event), image, imageExtension);
  }

 private:
  std::string id_;
  const HostServices& services_;
};

class Context : public PluginContext {
 public:
  Context(std::string id, const Poco::Util::AbstractConfiguration& config, ConfigProblems& problems,
          const HostServices& services)
      : id_(std::move(id)),
        logger_(Poco::Logger::get("lpr.plugin." + id_)),
        reader_(config, "plugin." + id_, problems),
        ingest_(id_, services),
        services_(services) {}

  const std::string& instanceId() const override { return id_; }
  Poco::Logger& logger() const override { return logger_; }
  ConfigReader& config() override { return reader_; }
  HttpRouter& http() override { return *services_.router; }
  Ingest& ingest() override { return ingest_; }
  Metrics& metrics() override { return *services_.metrics; }
  VerdictBoard& verdicts() override { return *services_.verdicts; }
  GateControl& gates() override { return *services_.gates; }
  const std::string& gatewayId() const override { return services_.gatewayId; }
  const std::string& dataDirectory() const override { return services_.dataDirectory; }
  EventStore* decisionLog() override { return services_.decisions; }
  std::string maskPlate(const std::string& plate) const override {
    return services_.maskPlates ? lpr::maskPlate(plate) : plate;
  }

 private:
  std::string id_;
  Poco::Logger& logger_;
  ConfigReader reader_;
  SourceIngest ingest_;
  const HostServices& services_;
};

constexpr auto kFirstRetry = std::chrono::milliseconds(500);
constexpr auto kMaxRetry = std::chrono::milliseconds(30000);

}  // namespace

struct PluginHost::Instance {
  std::string id;
  std::string type;
  const PluginDescriptor* descriptor = nullptr;
  std::unique_ptr<Plugin> plugin;
  std::unique_ptr<Context> context;
  std::string onStartError = "retry";
  bool started = false;
  bool given_up = false;
  std::string lastError;
  std::chrono::milliseconds backoff = kFirstRetry;
  std::chrono::steady_clock::time_point nextAttempt{};
  std::unique_ptr<SinkRunner> runner;
};

PluginHost::PluginHost(const Poco::Util::AbstractConfiguration& config,
                       const PluginRegistry& registry, HostServices services)
    : config_(config), registry_(registry), services_(std::move(services)) {}

PluginHost::~PluginHost() { stop(); }

void PluginHost::configure(ConfigProblems& problems) {
  Poco::Util::AbstractConfiguration::Keys ids;
  config_.keys("plugin", ids);
  std::sort(ids.begin(), ids.end());
  Poco::RegularExpression idPattern("^[a-z0-9_]+$");
  for (const auto& id : ids) {
    if (!idPattern.match(id)) {
      problems.add("plugin." + id + ": instance id '" + id + "' must match [a-z0-9_]+");
      continue;
    }
    auto instance = std::make_unique<Instance>();
    instance->id = id;
    instance->context = std::make_unique<Context>(id, config_, problems, services_);
    ConfigReader& reader = instance->context->config();
    instance->type = reader.requireString("type");
    bool enabled = reader.getBool("enabled", true);
    instance->onStartError =
        reader.getEnum("on_start_error", "retry", {"retry", "fail", "disable"});
    std::string level = reader.getEnum(
        "log_level", "",
        {"", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"});
    if (instance->type.empty()) continue;
    instance->descriptor = registry_.find(instance->type);
    if (!instance->descriptor) {
      std::string known;
      for (auto* d : registry_.all()) known += (known.empty() ? "" : ", ") + std::string(d->name);
      problems.add("plugin." + id + ".type = '" + instance->type +
                   "': expected one of the built-in plugins: " + known);
      continue;
    }
    if (!level.empty()) instance->context->logger().setLevel(level);
    instance->plugin = instance->descriptor->create();
    try {
      instance->plugin->configure(*instance->context);
    } catch (const std::exception& e) {
      problems.add("plugin." + id + ": " + e.what());
    }
    reader.reportUnknownKeys();
    if (enabled) instances_.push_back(std::move(instance));
  }

  // Processors run in the order pipeline.processors names them; every processor must be named.
  ConfigReader pipeline(config_, "pipeline", problems);
  auto order = pipeline.getList("processors", {});
  for (const auto& pid : order) {
    auto it = std::find_if(instances_.begin(), instances_.end(),
                           [&](const auto& i) { return i->id == pid; });
    if (it == instances_.end() || (*it)->descriptor->kind != PluginKind::Processor) {
      problems.add("pipeline.processors = '" + pipeline.getString("processors", "") + "': '" + pid +
                   "' is not an enabled processor instance");
      continue;
    }
    processorOrder_.push_back(pid);
  }
  for (const auto& i : instances_) {
    if (i->descriptor->kind == PluginKind::Processor &&
        std::find(order.begin(), order.end(), i->id) == order.end()) {
      problems.add("plugin." + i->id + ": processor is not listed in pipeline.processors");
    }
  }
  decisionTimeout_ =
      std::chrono::milliseconds(pipeline.getInt("decision_timeout_ms", 1500, 0, 60000));
  pipeline.reportUnknownKeys();
}

void PluginHost::attach(EventStore& reads, EventStore& decisions, Pipeline& pipeline) {
  services_.store = &reads;
  services_.decisions = &decisions;
  services_.pipeline = &pipeline;
  // Cursors exist from boot: reads accepted while a sink is still starting are its to deliver.
  for (auto& instance : instances_) {
    if (instance->descriptor->kind == PluginKind::Sink)
      streamOf(*instance).openCursor(instance->id);
  }
  for (const auto& pid : processorOrder_) {
    for (auto& instance : instances_) {
      if (instance->id == pid) {
        pipeline.addProcessor(pid, static_cast<Processor&>(*instance->plugin));
      }
    }
  }
}

EventStore& PluginHost::streamOf(const Instance& instance) const {
  auto stream = static_cast<const Sink&>(*instance.plugin).stream();
  return stream == Stream::Reads ? *services_.store : *services_.decisions;
}

bool PluginHost::attemptStart(Instance& instance) {
  StartResult result;
  try {
    result = instance.plugin->start();
  } catch (const std::exception& e) {
    result = StartResult::retryLater(std::string("start threw: ") + e.what());
  }
  Poco::Logger& log = instance.context->logger();
  if (result.kind == StartResult::Kind::Ok) {
    if (instance.descriptor->kind == PluginKind::Sink && services_.store) {
      instance.runner =
          std::make_unique<SinkRunner>(instance.id, static_cast<Sink&>(*instance.plugin),
                                       streamOf(instance), *services_.metrics, log);
      instance.runner->start();
    }
    std::lock_guard lock(mutex_);
    instance.started = true;
    instance.lastError.clear();
    log.information("started (%s)", instance.type);
    return true;
  }
  std::lock_guard lock(mutex_);
  bool firstFailure = instance.lastError != result.why;
  instance.lastError = result.why;
  if (result.kind == StartResult::Kind::Fatal || instance.onStartError != "retry") {
    instance.given_up = true;
    log.error("cannot start, giving up: %s", result.why);
    return false;
  }
  if (firstFailure) {
    log.warning("not started yet, retrying with backoff: %s", result.why);
  }
  instance.nextAttempt = std::chrono::steady_clock::now() + instance.backoff;
  instance.backoff = std::min(instance.backoff * 2, kMaxRetry);
  return false;
}

void PluginHost::start() {
  for (auto kind : {PluginKind::Sink, PluginKind::Processor, PluginKind::Source}) {
    for (auto& instance : instances_) {
      if (instance->descriptor->kind != kind) continue;
      if (!attemptStart(*instance) && instance->onStartError == "fail") {
        throw std::runtime_error("plugin " + instance->id + " could not start: " +
                                 instance->lastError + " (on_start_error = fail)");
      }
    }
  }
  supervisor_ = std::thread([this] { supervise(); });
}

void PluginHost::supervise() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (auto& instance : instances_) {
      if (instance->started || instance->given_up) continue;
      if (std::chrono::steady_clock::now() >= instance->nextAttempt) {
        lock.unlock();
        attemptStart(*instance);
        lock.lock();
        if (stopping_) return;
      }
      if (!instance->started && !instance->given_up) next = std::min(next, instance->nextAttempt);
    }
    wake_.wait_until(lock, next, [&] { return stopping_; });
  }
}

void PluginHost::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  for (auto kind : {PluginKind::Source, PluginKind::Processor, PluginKind::Sink}) {
    for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) {
      Instance& instance = **it;
      if (instance.descriptor->kind != kind) continue;
      if (instance.runner) instance.runner->stop();
      instance.plugin->stop();
    }
  }
}

void PluginHost::reload(const Poco::Util::AbstractConfiguration& fresh, ConfigProblems& problems) {
  for (auto& instance : instances_) {
    ConfigReader reader(fresh, "plugin." + instance->id, problems);
    std::string level = reader.getEnum(
        "log_level", "",
        {"", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"});
    if (!level.empty()) instance->context->logger().setLevel(level);
    bool started = false;
    {
      std::lock_guard lock(mutex_);
      started = instance->started;
    }
    // An instance still waiting to start keeps the boot's configuration until a restart.
    if (started) instance->plugin->reload(reader);
  }
}

std::pair<bool, std::string> PluginHost::healthJson() const {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  Poco::JSON::Object::Ptr plugins = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  bool anyFailed = false, anyDegraded = false;
  for (const auto& instance : instances_) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("type", instance->type);
    entry->set("kind", kindName(instance->descriptor->kind));
    Health health;
    bool started = false;
    {
      std::lock_guard lock(mutex_);
      started = instance->started;
      if (instance->given_up) {
        health = Health::failed(instance->lastError);
      } else if (!started) {
        health = Health::degraded("starting: " + instance->lastError);
      }
    }
    if (started) health = instance->plugin->health();
    entry->set("state", toString(health.state));
    if (!health.detail.empty()) entry->set("detail", health.detail);
    if (instance->runner) entry->set("queue", instance->runner->pending());
    anyFailed |= health.state == Health::State::Failed;
    anyDegraded |=
        health.state == Health::State::Degraded || health.state == Health::State::Unreachable;
    plugins->set(instance->id, entry);
  }
  root.set("status", anyFailed ? "failed" : anyDegraded ? "degraded" : "ok");
  root.set("gateway_id", services_.gatewayId);
  root.set("plugins", plugins);
  std::ostringstream out;
  root.stringify(out);
  return {!anyFailed, out.str()};
}

void PluginHost::describe(std::ostream& out) const {
  for (const auto& instance : instances_) {
    out << "plugin " << instance->id << " (" << instance->type << "): ";
    instance->plugin->describe(out);
    out << "\n";
  }
}

}  // namespace lpr
