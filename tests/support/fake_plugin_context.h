#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

#include <memory>
#include <string>

#include "config/config_reader.h"
#include "metrics/metrics.h"
#include "plugin/plugin.h"

namespace lpr::testing {

// A PluginContext for driving one plugin instance in a test: its configuration is a map the
// test fills (keys relative to `plugin.<id>.`), or a properties file; logs go to the
// "lpr.plugin.<id>" logger; metrics to a registry of its own. HTTP and ingest are not provided.
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
  const std::string& gatewayId() const override { return gatewayId_; }
  std::string maskPlate(const std::string& plate) const override { return plate; }

 private:
  std::string instanceId_;
  std::string gatewayId_;
  Poco::AutoPtr<Poco::Util::MapConfiguration> root_;
  ConfigProblems problems_;
  ConfigReader reader_;
  Metrics metrics_;
};

}  // namespace lpr::testing
