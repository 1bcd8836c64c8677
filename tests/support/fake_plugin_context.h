#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bus/verdict_board.h"
#include "config/config_reader.h"
#include "gate/gate_registry.h"
#include "metrics/metrics.h"
#include "plugin/plugin.h"
#include "test_env.h"

namespace lpr::testing {

// Records what an authority plugin reports, for tests to wait on.
class RecordingVerdictBoard : public VerdictBoard {
 public:
  void registerAuthority(const std::string& authority) override;
  void setAuthorityAvailable(const std::string& authority, bool available) override;
  void offerVerdict(const std::string& eventId, const Decision& decision) override;
  bool registerFallback(const std::string& owner, Fallback fallback) override;
  // The registered fallback, for a test to call as the stage would; empty when none.
  const Fallback& fallback() const { return fallback_; }

  std::vector<std::string> authorities() const;
  std::optional<bool> available(const std::string& authority) const;
  std::map<std::string, Decision> verdicts() const;
  // Waits until a verdict for the event is offered; nullopt after the timeout.
  std::optional<Decision> waitVerdict(const std::string& eventId,
                                      std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, bool> authorities_;
  std::map<std::string, Decision> verdicts_;
  Fallback fallback_;
};

// A PluginContext for driving one plugin instance in a test: its configuration is a map the
// test fills (keys relative to `plugin.<id>.`), or a properties file; logs go to the
// "lpr.plugin.<id>" logger; metrics to a registry of its own. HTTP is not provided; ingest only
// when a test gives one (setIngest).
class FakePluginContext : public PluginContext {
 public:
  explicit FakePluginContext(std::string instanceId = "test", std::string gatewayId = "gw-test");

  // Sets `plugin.<id>.<key>`; call before Plugin::configure().
  FakePluginContext& set(const std::string& key, const std::string& value);
  // Loads a whole properties file (full keys, e.g. sample.properties) into the configuration.
  FakePluginContext& loadProperties(const std::string& path);
  // Problems the plugin recorded while configuring, one line each.
  const ConfigProblems& problems() const { return problems_; }
  std::string problemText() const;
  Poco::Util::MapConfiguration& root() { return *root_; }

  const std::string& instanceId() const override { return instanceId_; }
  Poco::Logger& logger() const override;
  ConfigReader& config() override { return reader_; }
  HttpRouter& http() override;
  Ingest& ingest() override;
  Metrics& metrics() override { return metrics_; }
  RecordingVerdictBoard& verdicts() override { return verdicts_; }
  // A real registry: tests open gates through it as an MQTT command would.
  GateRegistry& gates() override { return gates_; }
  const std::string& gatewayId() const override { return gatewayId_; }
  // A scratch folder of this context's own, removed with it.
  const std::string& dataDirectory() const override { return dataDir_.path(); }
  // Null unless a test gives one.
  EventStore* decisionLog() override { return decisionLog_; }
  void setDecisionLog(EventStore* store) { decisionLog_ = store; }
  // Where ingest() hands events (a RecordingIngest, say); ingest() throws until one is set.
  void setIngest(Ingest* ingest) { ingest_ = ingest; }
  std::string maskPlate(const std::string& plate) const override { return plate; }

 private:
  std::string instanceId_;
  std::string gatewayId_;
  Poco::AutoPtr<Poco::Util::MapConfiguration> root_;
  ConfigProblems problems_;
  ConfigReader reader_;
  Metrics metrics_;
  RecordingVerdictBoard verdicts_;
  GateRegistry gates_;
  ScratchDir dataDir_{"lpr-plugin-data"};
  EventStore* decisionLog_ = nullptr;
  Ingest* ingest_ = nullptr;
};

}  // namespace lpr::testing
