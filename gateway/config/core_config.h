#pragma once

#include <string>

#include "config/config_reader.h"
#include "http/http_server.h"
#include "storage/event_store.h"

namespace Poco::Util {
class AbstractConfiguration;
}

namespace lpr {

// The core sections: gateway.*, http.*, storage.* (pipeline.* is read by the plugin host).
struct CoreConfig {
  std::string gatewayId;
  bool maskPlates = true;
  HttpServerOptions http;
  std::string portFile;
  std::string dataDirectory;   // storage.directory
  StoreOptions store;          // the reads every source hands in
  StoreOptions decisionStore;  // the same reads once decided
  std::string spoolDir;
  std::uint64_t spoolMaxBytes = 0;
};

CoreConfig readCoreConfig(const Poco::Util::AbstractConfiguration& config,
                          ConfigProblems& problems);
// Top-level sections other than the known ones are typos.
void checkSections(const Poco::Util::AbstractConfiguration& config, ConfigProblems& problems);

}  // namespace lpr
