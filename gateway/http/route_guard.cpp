#include "http/route_guard.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>

#include "config/config_reader.h"

namespace lpr {

namespace {

bool safeRealm(const std::string& realm) {
  for (unsigned char c : realm) {
    if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool safePathSegment(const std::string& text) {
  if (text.size() < 16) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

// Compares without an early exit so the time taken does not tell how much of a guess was right.
bool sameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace

void RouteGuard::configure(ConfigReader& config, const std::string& fallback,
                           std::initializer_list<std::string_view> modes) {
  modeText_ = config.getEnum("auth", fallback, modes);
  if (modeText_ == "token") {
    mode_ = Mode::Token;
  } else if (modeText_ == "secret_path") {
    mode_ = Mode::SecretPath;
  } else {
    switch (httpAuthModeFromString(modeText_).value_or(HttpAuthMode::None)) {
      case HttpAuthMode::None:
        mode_ = Mode::None;
        break;
      case HttpAuthMode::Basic:
        mode_ = Mode::Basic;
        break;
      case HttpAuthMode::Digest:
        mode_ = Mode::Digest;
        break;
      case HttpAuthMode::Any:
        mode_ = Mode::Any;
        break;
    }
  }

  const bool http = mode_ == Mode::Basic || mode_ == Mode::Digest || mode_ == Mode::Any;
  std::string password;
  if (http) {
    username_ = config.requireString("username");
    password = config.requireString("password");
    if (username_.find(':') != std::string::npos) {
      config.problem("username", username_, "a name without ':'");  // Basic splits at it
    }
    realm_ = config.getString("realm", realm_);
    if (realm_.empty() || !safeRealm(realm_)) {
      // Clients echo the realm back without escaping, so quotes would break their answer.
      config.problem("realm", realm_, "a non-empty text without quotes, backslashes or controls");
    }
    nonceLifetimeS_ = config.getInt("nonce_lifetime_s", nonceLifetimeS_, 10, 86400);
  }
  passwordSet_ = !password.empty();
  if (mode_ == Mode::Token) {
    token_ = config.requireString("token");
    tokenHeader_ = config.getString("token_header", tokenHeader_);
    if (tokenHeader_.empty() || tokenHeader_.find_first_of(" :\r\n") != std::string::npos) {
      config.problem("token_header", tokenHeader_, "an HTTP header name such as X-Auth-Token");
    }
  }
  if (mode_ == Mode::SecretPath) {
    secret_ = config.requireString("secret");
    if (!secret_.empty() && !safePathSegment(secret_)) {
      config.problem("secret", "<redacted>",
                     "at least 16 characters of A-Z a-z 0-9 - _ . ~ (a URL path segment)");
    }
  }

  allowFromText_ = config.getList("allow_from", {});
  allowFrom_.clear();
  for (const auto& item : allowFromText_) {
    if (auto network = parseIpNetwork(item)) {
      allowFrom_.push_back(*network);
    } else {
      config.problem("allow_from", item, "IP addresses or CIDR networks, comma separated");
    }
  }

  HttpAuthMode httpMode = HttpAuthMode::None;
  if (mode_ == Mode::Basic) httpMode = HttpAuthMode::Basic;
  if (mode_ == Mode::Digest) httpMode = HttpAuthMode::Digest;
  if (mode_ == Mode::Any) httpMode = HttpAuthMode::Any;
  auth_ = std::make_unique<HttpAuthenticator>(httpMode, HttpCredentials{username_, password},
                                              realm_, std::chrono::seconds(nonceLifetimeS_));
}

bool RouteGuard::tokenMatches(const Poco::Net::HTTPServerRequest& request) const {
  if (!request.has(tokenHeader_)) return false;
  std::string value = request.get(tokenHeader_);
  // With the standard header the token travels as a bearer credential.
  if (Poco::icompare(tokenHeader_, "Authorization") == 0) {
    if (value.size() < 7 || Poco::icompare(value.substr(0, 7), "Bearer ") != 0) return false;
    value = value.substr(7);
  }
  return sameSecret(value, token_);
}

RouteGuard::Check RouteGuard::check(const Poco::Net::HTTPServerRequest& request) const {
  const Poco::Net::IPAddress peer = unmappedAddress(request.clientAddress().host());
  if (!addressAllowed(allowFrom_, peer)) {
    return {Verdict::Forbidden, false, "address not in allow_from"};
  }
  switch (mode_) {
    case Mode::None:
    case Mode::SecretPath:  // the router matched the secret path already
      return {Verdict::Pass, false, {}};
    case Mode::Token:
      if (!request.has(tokenHeader_)) return {Verdict::Challenge, false, "no " + tokenHeader_};
      if (tokenMatches(request)) return {Verdict::Pass, false, {}};
      return {Verdict::Wrong, false, "wrong token in " + tokenHeader_};
    default:
      break;
  }
  const auto outcome = auth_->evaluate(request);
  switch (outcome.result) {
    case HttpAuthenticator::Result::Ok:
      return {Verdict::Pass, false, {}};
    case HttpAuthenticator::Result::Missing:
      return {Verdict::Challenge, false, outcome.reason};
    case HttpAuthenticator::Result::Stale:
      return {Verdict::Challenge, true, outcome.reason};
    case HttpAuthenticator::Result::Wrong:
      break;
  }
  return {Verdict::Wrong, false, outcome.reason};
}

void RouteGuard::challenge(Poco::Net::HTTPServerResponse& response, bool stale) const {
  if (auth_ && auth_->mode() != HttpAuthMode::None) {
    auth_->challenge(response, stale);
  } else {
    response.setStatus(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
  }
}

bool RouteGuard::claims(const Poco::Net::HTTPServerRequest& request) const {
  if (!addressAllowed(allowFrom_, request.clientAddress().host())) return false;
  switch (mode_) {
    case Mode::None:
    case Mode::SecretPath:
      return true;
    case Mode::Token:
      if (request.has(tokenHeader_)) return tokenMatches(request);
      return !allowFrom_.empty();
    default:
      break;
  }
  if (auto user = HttpAuthenticator::claimedUser(request)) return *user == username_;
  return !allowFrom_.empty();
}

std::string RouteGuard::routePath(const std::string& path) const {
  if (mode_ != Mode::SecretPath) return path;
  return (path.size() > 1 && path.back() == '/' ? path : path + "/") + secret_;
}

std::string RouteGuard::shownPath(const std::string& path) const {
  if (mode_ != Mode::SecretPath) return path;
  return (path.size() > 1 && path.back() == '/' ? path : path + "/") + "<secret>";
}

std::string RouteGuard::describe() const {
  std::string out = "auth=" + modeText_;
  if (mode_ == Mode::Basic || mode_ == Mode::Digest || mode_ == Mode::Any) {
    out += " username=\"" + username_ + "\" password=" + (passwordSet_ ? "<redacted>" : "<unset>") +
           " realm=\"" + realm_ + "\" nonce_lifetime_s=" + std::to_string(nonceLifetimeS_);
  } else if (mode_ == Mode::Token) {
    out += " token_header=" + tokenHeader_ + " token=<redacted>";
  }
  out += " allow_from=";
  if (allowFromText_.empty()) out += "any";
  for (std::size_t i = 0; i < allowFromText_.size(); ++i) {
    out += (i ? "," : "") + allowFromText_[i];
  }
  return out;
}

}  // namespace lpr
