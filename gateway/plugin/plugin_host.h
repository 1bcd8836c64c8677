#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config_reader.h"
#include "plugin/plugin.h"

namespace Poco::Util {
class AbstractConfiguration;
}

namespace lpr {

class EventStore;
class HttpRouter;
class Metrics;
class Pipeline;
class PluginRegistry;
class SinkRunner;
class VerdictBoard;
class GateControl;

struct HostServices {
  HttpRouter* router = nullptr;
  Pipeline* pipeline = nullptr;
  EventStore* store = nullptr;      // reads; null in --validate
  EventStore* decisions = nullptr;  // decided events; null in --validate
  VerdictBoard* verdicts = nullptr;
  GateControl* gates = nullptr;
  Metrics* metrics = nullptr;
  std::string gatewayId;
  std::string dataDirectory;
  bool maskPlates = true;
};

// Owns the plugin instances: creates them from `plugin.<id>.type`, gives each its own config
// view, starts them in order (sinks, processors, sources), retries a start that reports a peer
// not up yet with backoff (per-instance `on_start_error = retry | fail | disable`), runs each
// sink's delivery worker, and reports health.
class PluginHost {
 public:
  PluginHost(const Poco::Util::AbstractConfiguration& config, const PluginRegistry& registry,
             HostServices services);
  ~PluginHost();

  // Creates and configures every instance; problems are recorded, nothing is started.
  void configure(ConfigProblems& problems);
  // Connects the running core (absent under --validate): the two streams and the ingest pipeline.
  void attach(EventStore& reads, EventStore& decisions, Pipeline& pipeline);
  // pipeline.decision_timeout_ms: how long a read waits for an authority's verdict.
  std::chrono::milliseconds decisionTimeout() const { return decisionTimeout_; }
  // Throws std::runtime_error when an instance with on_start_error=fail cannot start.
  void start();
  void stop() noexcept;
  // SIGHUP: each instance's log_level, then Plugin::reload on the started ones, read from
  // `fresh` (the files as they are now). Problems are recorded; the running setup stays.
  void reload(const Poco::Util::AbstractConfiguration& fresh, ConfigProblems& problems);

  // {"status":"ok|degraded|failed","plugins":{"<id>":{...}}}; false when any plugin failed.
  std::pair<bool, std::string> healthJson() const;
  std::size_t instanceCount() const { return instances_.size(); }
  void describe(std::ostream& out) const;

 private:
  struct Instance;
  bool attemptStart(Instance& instance);
  EventStore& streamOf(const Instance& instance) const;
  void supervise();

  const Poco::Util::AbstractConfiguration& config_;
  const PluginRegistry& registry_;
  HostServices services_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<std::string> processorOrder_;
  std::chrono::milliseconds decisionTimeout_{1500};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread supervisor_;
};

std::string maskPlate(const std::string& plate);

}  // namespace lpr
