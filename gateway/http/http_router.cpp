#include "http/http_router.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

#include <algorithm>

namespace lpr {

void HttpRouter::add(HttpRoute route) {
  std::lock_guard lock(mutex_);
  routes_.push_back(std::make_shared<HttpRoute>(std::move(route)));
}

void HttpRouter::removeOwner(const std::string& owner) {
  std::lock_guard lock(mutex_);
  std::erase_if(routes_, [&](const auto& r) { return r->owner == owner; });
}

bool HttpRouter::dispatch(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response, bool& methodAllowed) {
  const std::string path = Poco::URI(request.getURI()).getPath();
  std::shared_ptr<HttpRoute> chosen, fallback;
  bool pathKnown = false;
  {
    std::lock_guard lock(mutex_);
    for (bool prefixes : {false, true}) {
      for (const auto& r : routes_) {
        if (r->prefix != prefixes) continue;
        if (prefixes ? path.rfind(r->path, 0) != 0 : r->path != path) continue;
        pathKnown = true;
        if (!r->method.empty() && r->method != request.getMethod()) continue;
        if (!fallback) fallback = r;
        if (!r->claims || r->claims(request)) {
          chosen = r;
          break;
        }
      }
      if (chosen || fallback) break;
    }
  }
  methodAllowed = true;
  if (!chosen) chosen = fallback;
  if (!chosen) {
    methodAllowed = !pathKnown;
    return false;
  }
  chosen->handle(request, response);
  return true;
}

}  // namespace lpr
