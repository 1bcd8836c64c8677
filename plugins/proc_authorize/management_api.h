#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "access/access_model.h"
#include "config/config_reader.h"
#include "http/http_auth.h"
#include "local_store.h"
#include "plugin/plugin.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr::plugins::proc_authorize {

struct ApiSettings {
  std::string username;  // empty: the API is not served
  std::string password;
  HttpAuthMode auth = HttpAuthMode::Digest;
  std::size_t maxBodyBytes = 4 << 20;
};

ApiSettings readApiSettings(ConfigReader& config);

// /api/v1/ on the shared server (README "Management API"): local users and list entries in
// the LocalStore, the mirrored 2N directory read-only.
class ManagementApi {
 public:
  using Directory = std::function<std::vector<lpr::access::DirectoryUser>()>;

  // `changed` runs after every successful write, so the decision data is rebuilt.
  ManagementApi(PluginContext& ctx, ApiSettings settings, LocalStore& store,
                std::function<void()> changed, Directory directory);
  ~ManagementApi();

  void start();
  void stop() noexcept;

 private:
  struct Reply;
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  Reply route(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
              const std::string& path);
  Reply userItem(const std::string& method, const std::string& uuid,
                 const std::optional<std::string>& body);
  Reply importCsv(const std::string& body);
  Reply accessLog(const Poco::Net::HTTPServerRequest& request);
  Reply profiles(const std::string& method, const std::string& id,
                 const std::optional<std::string>& body);
  Reply holidays(const std::string& method, const std::string& date,
                 const std::optional<std::string>& body);
  Reply snapshot(const std::string& eventId);
  void committed();  // after every write
  bool ownedByDevice(const std::string& uuid) const;

  PluginContext& ctx_;
  ApiSettings settings_;
  LocalStore& store_;
  std::function<void()> changed_;
  Directory directory_;
  std::unique_ptr<HttpAuthenticator> auth_;
  std::string owner_;  // the router owner of every route here

  std::mutex routesMutex_;
  bool started_ = false;
};

}  // namespace lpr::plugins::proc_authorize
