#pragma once

#include <Poco/Util/ServerApplication.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Util {
class LayeredConfiguration;
}

namespace lpr {

class PluginHost;
class ServiceNotifier;

// lpr-gateway: loads the layered configuration, validates it, runs the core and the plugins
// until SIGTERM/SIGINT, then stops in reverse order with every accepted event persisted.
// SIGHUP re-reads what can change live (log levels, plugin lists); under systemd it reports
// READY/RELOADING/STOPPING and feeds the watchdog while the core's store threads answer.
class GatewayApp : public Poco::Util::ServerApplication {
 protected:
  void initialize(Poco::Util::Application& self) override;
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  // The main file and conf.d/*.properties into `into`; unreadable files go to `problems`.
  void loadLayers(Poco::Util::LayeredConfiguration& into, std::vector<std::string>& problems);
  void setupDefaultLogging();
  void printHelp();
  // Until a stop signal: SIGHUP calls `reload`; with a watchdog, pings while `alive` holds.
  void waitForStop(ServiceNotifier& notifier,
                   const std::function<bool(std::chrono::milliseconds)>& alive,
                   const std::function<void()>& reload);
  void reloadLive(PluginHost& host);

  std::string configFile_;
  bool configGiven_ = false;
  bool helpRequested_ = false;
  bool versionRequested_ = false;
  bool validateOnly_ = false;
  std::vector<std::string> loadProblems_;
  std::vector<std::pair<std::string, std::string>> defines_;  // kept for reloads
};

}  // namespace lpr
