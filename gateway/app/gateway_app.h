#pragma once

#include <Poco/Util/ServerApplication.h>

#include <string>
#include <vector>

namespace lpr {

// lpr-gateway: loads the layered configuration, validates it, runs the core and the plugins
// until SIGTERM/SIGINT, then stops in reverse order with every accepted event persisted.
class GatewayApp : public Poco::Util::ServerApplication {
 protected:
  void initialize(Poco::Util::Application& self) override;
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  void loadLayers();
  void setupDefaultLogging();
  void printHelp();

  std::string configFile_;
  bool configGiven_ = false;
  bool helpRequested_ = false;
  bool versionRequested_ = false;
  bool validateOnly_ = false;
  std::vector<std::string> loadProblems_;
};

}  // namespace lpr
