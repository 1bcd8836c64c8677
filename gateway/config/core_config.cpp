#include "config/core_config.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Util/AbstractConfiguration.h>

#include <set>

namespace lpr {

namespace {

void requireReadable(ConfigReader& reader, const char* key, const std::string& path) {
  if (path.empty()) {
    reader.problem(key, path, "a file path (TLS is enabled)");
  } else if (!Poco::File(path).exists() || !Poco::File(path).canRead()) {
    reader.problem(key, path, "a readable file");
  }
}

}  // namespace

CoreConfig readCoreConfig(const Poco::Util::AbstractConfiguration& config,
                          ConfigProblems& problems) {
  CoreConfig core;
  ConfigReader gateway(config, "gateway", problems);
  core.gatewayId = gateway.getString("id", Poco::Environment::nodeName());
  core.maskPlates = gateway.getEnum("log_plates", "masked", {"masked", "full"}) == "masked";
  gateway.reportUnknownKeys();

  ConfigReader http(config, "http", problems);
  core.http.address = http.getString("address", "0.0.0.0");
  core.http.port = static_cast<int>(http.getInt("port", 8080, 0, 65535));
  core.portFile = http.getString("port_file", "");
  core.http.maxThreads = static_cast<int>(http.getInt("max_threads", 16, 1, 1024));
  core.http.maxQueued = static_cast<int>(http.getInt("max_queued", 256, 1, 100000));
  core.http.keepAliveTimeoutS = static_cast<int>(http.getInt("keep_alive_timeout_s", 15, 1, 3600));
  core.http.tls = http.getBool("tls.enabled", false);
  core.http.certFile = http.getString("tls.cert_file", "");
  core.http.keyFile = http.getString("tls.key_file", "");
  core.http.caFile = http.getString("tls.ca_file", "");
  if (core.http.tls) {
    requireReadable(http, "tls.cert_file", core.http.certFile);
    requireReadable(http, "tls.key_file", core.http.keyFile);
  }
  http.reportUnknownKeys();

  ConfigReader storage(config, "storage", problems);
  std::string dir = storage.getString("directory", "/var/lib/lpr-gateway");
  core.dataDirectory = dir;
  core.store.path = storage.getString("path", dir + "/events.db");
  core.spoolDir = storage.getString("spool_dir", dir + "/spool");
  core.store.synchronousFull = storage.getEnum("synchronous", "full", {"full", "normal"}) == "full";
  core.store.maxAge =
      std::chrono::seconds(storage.getInt("max_age_s", 7 * 24 * 3600, 60, 10LL * 365 * 24 * 3600));
  core.store.maxEvents = storage.getInt("max_events", 1000000, 100, 1000000000);
  core.store.pruneInterval = std::chrono::seconds(storage.getInt("prune_interval_s", 60, 1, 86400));
  core.spoolMaxBytes =
      static_cast<std::uint64_t>(storage.getInt("spool_max_bytes", 2LL << 30, 1 << 20, 1LL << 40));
  core.decisionStore = core.store;
  core.decisionStore.path = storage.getString("decisions_path", dir + "/decisions.db");
  core.decisionStore.stream = "decisions";
  core.decisionStore.ownsImages = false;  // the reads store removes snapshots with their reads
  storage.reportUnknownKeys();
  return core;
}

void checkSections(const Poco::Util::AbstractConfiguration& config, ConfigProblems& problems) {
  static const std::set<std::string> known{"gateway", "http",    "storage",     "pipeline",
                                           "plugin",  "logging", "application", "system"};
  Poco::Util::AbstractConfiguration::Keys sections;
  config.keys(sections);
  for (const auto& s : sections) {
    if (!known.count(s)) {
      problems.add(s +
                   ".*: unknown section (expected gateway, http, storage, pipeline, plugin "
                   "or logging)");
    }
  }
}

}  // namespace lpr
