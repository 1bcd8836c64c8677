#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/ingest.h"
#include "config/config_reader.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "http_test_client.h"
#include "metrics/metrics.h"
#include "plugin/plugin.h"

namespace lpr::testing {

// Stands in for the store behind Ingest: keeps what was submitted and refuses a second
// (sourceId, sourceEventId) the way the durable store does.
class RecordingIngest : public Ingest {
 public:
  struct Stored {
    PlateEvent event;
    std::string image;
    std::string extension;
  };
  IngestResult submit(PlateEvent event, std::string_view image,
                      std::string_view imageExtension) override;
  std::vector<Stored> stored() const;
  std::size_t submissions() const;
  void setFail(bool fail);

 private:
  mutable std::mutex mutex_;
  std::vector<Stored> stored_;
  std::set<std::string> keys_;
  std::size_t submissions_ = 0;
  bool fail_ = false;
};

// One or more push-source plugins on the real router and HTTP server (127.0.0.1, port 0),
// storing into a RecordingIngest.
class WebhookRig {
 public:
  WebhookRig();
  ~WebhookRig();

  // Configures and starts a plugin instance with `keys` (relative to plugin.<id>.); the
  // configuration must be free of problems. Starts the server on first use.
  Plugin& add(const std::string& id, const std::string& type, std::unique_ptr<Plugin> plugin,
              const std::map<std::string, std::string>& keys);
  // Configures only, returning the problem lines (for config tests).
  std::vector<std::string> configureProblems(const std::string& id, const std::string& type,
                                             Plugin& plugin,
                                             const std::map<std::string, std::string>& keys);

  HttpAnswer post(const std::string& path, const std::string& body,
                  const std::string& contentType = "application/json",
                  ClientAuth auth = ClientAuth::None, const std::string& user = {},
                  const std::string& password = {},
                  const std::vector<std::pair<std::string, std::string>>& headers = {},
                  const std::string& method = "POST");

  // A counter's value; 0 when the series does not exist.
  std::uint64_t counter(const std::string& name, const Labels& labels);
  int port() const;
  RecordingIngest& ingest() { return ingest_; }
  Metrics& metrics() { return metrics_; }

 private:
  class Context;
  Poco::AutoPtr<Poco::Util::MapConfiguration> config_;
  ConfigProblems problems_;
  HttpRouter router_;
  Metrics metrics_;
  RecordingIngest ingest_;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace lpr::testing
