#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_auth.h"
#include "http/ip_network.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr {

class ConfigReader;

// Who may post to one inbound route: a source address allowlist and one way of authenticating.
// Shared by every push source so that each reads the same keys the same way:
//   auth = none | basic | digest | any | token | secret_path
//   username, password, realm, nonce_lifetime_s   (basic, digest, any)
//   token, token_header                           (token: a static header value)
//   secret                                        (secret_path: the route is <path>/<secret>)
//   allow_from                                    (IPs or CIDR networks; empty = any)
class RouteGuard {
 public:
  enum class Mode { None, Basic, Digest, Any, Token, SecretPath };

  // Reads the keys above; `modes` are the values this route offers, `fallback` the default.
  void configure(ConfigReader& config, const std::string& fallback,
                 std::initializer_list<std::string_view> modes);

  enum class Verdict {
    Pass,
    Forbidden,  // address not in allow_from: 403
    Challenge,  // no credentials yet, or a Digest nonce timed out: 401, normal first leg
    Wrong       // credentials given and wrong: 401, counted as an auth error
  };
  struct Check {
    Verdict verdict = Verdict::Wrong;
    bool stale = false;
    std::string reason;  // for logs; never contains secrets
  };
  Check check(const Poco::Net::HTTPServerRequest& request) const;
  // Sets the 401 status and the challenge headers of this mode; the caller sends the body.
  void challenge(Poco::Net::HTTPServerResponse& response, bool stale) const;

  // Several instances may share a path, one per camera account. An instance takes a request
  // whose credentials name its account; one without credentials it takes only when its
  // allow_from singles the camera out (otherwise the first instance challenges it).
  bool claims(const Poco::Net::HTTPServerRequest& request) const;

  // The path to register: `path`, or `path/<secret>` for secret_path.
  std::string routePath(const std::string& path) const;
  // The same with the secret replaced, for logs and describe().
  std::string shownPath(const std::string& path) const;
  // "auth=digest username="cam1" password=<redacted> ... allow_from=any"
  std::string describe() const;

  Mode mode() const { return mode_; }
  const std::string& username() const { return username_; }
  const std::vector<IpNetwork>& allowFrom() const { return allowFrom_; }

 private:
  bool tokenMatches(const Poco::Net::HTTPServerRequest& request) const;

  Mode mode_ = Mode::None;
  std::string modeText_ = "none";
  std::string username_;
  bool passwordSet_ = false;
  std::string realm_ = "HTTP API";
  long long nonceLifetimeS_ = 300;
  std::string token_;
  std::string tokenHeader_ = "Authorization";
  std::string secret_;
  std::vector<std::string> allowFromText_;
  std::vector<IpNetwork> allowFrom_;
  std::unique_ptr<HttpAuthenticator> auth_;
};

}  // namespace lpr
