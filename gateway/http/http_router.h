#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr {

// Routes of the one shared HTTP(S) server. Several sources may share a path (a 2N endpoint
// with per-camera credentials): the first route whose `claims` accepts the request handles
// it; when none claims it, the first route for the path handles it (and usually answers 401).
struct HttpRoute {
  std::string method;   // "POST", "GET", ...; empty = any
  std::string path;     // exact match, without query; with `prefix`, every path that starts so
  bool prefix = false;  // exact routes are tried before prefix ones
  std::string owner;    // plugin instance id, for metrics and logs
  std::function<bool(const Poco::Net::HTTPServerRequest&)> claims;  // empty = always
  std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)> handle;
};

class HttpRouter {
 public:
  void add(HttpRoute route);
  void removeOwner(const std::string& owner);
  // Returns false when no route matches the path (caller answers 404) ; sets `methodAllowed`
  // false when the path exists but not for this method (405).
  bool dispatch(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                bool& methodAllowed);

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<HttpRoute>> routes_;
};

}  // namespace lpr
