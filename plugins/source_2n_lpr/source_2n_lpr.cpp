#include "source_2n_lpr.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>

#include <algorithm>
#include <variant>

#include "bus/ingest.h"
#include "http/http_router.h"
#include "http/http_util.h"
#include "metrics/metrics.h"

namespace lpr::plugins::source_2n_lpr {

namespace {

constexpr auto kWarnEvery = std::chrono::seconds(60);

const char* const kRequestsMetric = "lpr_http_requests_total";
const char* const kRequestsHelp = "HTTP requests answered by a source plugin, by HTTP status";
const char* const kErrorsMetric = "lpr_input_errors_total";
const char* const kErrorsHelp = "Requests a source plugin rejected, by kind";
const char* const kErrorKinds[] = {"auth",      "method",  "malformed_json", "missing_field",
                                   "bad_value", "too_big", "forbidden",      "store"};

// A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; allow_from is written in IPv4.
Poco::Net::IPAddress unmapped(const Poco::Net::IPAddress& ip) {
  if (ip.family() == Poco::Net::IPAddress::IPv6 && ip.isIPv4Mapped()) {
    const auto* bytes = static_cast<const unsigned char*>(ip.addr());
    return Poco::Net::IPAddress(bytes + 12, 4);
  }
  return ip;
}

bool safeRealm(const std::string& realm) {
  for (unsigned char c : realm) {
    if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

bool IpNetwork::contains(const Poco::Net::IPAddress& ip) const {
  const Poco::Net::IPAddress plain = unmapped(ip);
  if (plain.family() != address.family()) return false;
  return (plain & mask) == address;
}

std::optional<IpNetwork> parseIpNetwork(const std::string& text) {
  const auto slash = text.find('/');
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(text.substr(0, slash), ip)) return std::nullopt;
  const bool v4 = ip.family() == Poco::Net::IPAddress::IPv4;
  // inet_aton would read "10.0.0" as 10.0.0.0; a shorthand in an allowlist is more likely a typo.
  if (v4 && std::count(text.begin(), text.begin() + std::min(slash, text.size()), '.') != 3) {
    return std::nullopt;
  }
  const unsigned maxBits = v4 ? 32 : 128;
  unsigned bits = maxBits;
  if (slash != std::string::npos) {
    const std::string prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3 ||
        prefix.find_first_not_of("0123456789") != std::string::npos ||
        !Poco::NumberParser::tryParseUnsigned(prefix, bits) || bits > maxBits) {
      return std::nullopt;
    }
  }
  Poco::Net::IPAddress mask(bits, ip.family());
  return IpNetwork{ip & mask, mask};
}

void Source2nLpr::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();

  path_ = config.getString("path", path_);
  if (path_.empty() || path_[0] != '/' || path_.find_first_of("?# ") != std::string::npos) {
    config.problem("path", path_, "an absolute URL path such as /api/lpr/licenseplate");
  }

  authMode_ =
      httpAuthModeFromString(config.getEnum("auth", "digest", {"none", "basic", "digest", "any"}))
          .value_or(HttpAuthMode::Digest);
  std::string password;
  if (authMode_ == HttpAuthMode::None) {
    username_ = config.getString("username", "");
    password = config.getString("password", "");
  } else {
    username_ = config.requireString("username");
    password = config.requireString("password");
    if (username_.find(':') != std::string::npos) {
      // Basic splits "user:password" at the first colon.
      config.problem("username", username_, "a name without ':'");
    }
  }
  passwordSet_ = !password.empty();

  realm_ = config.getString("realm", realm_);
  if (realm_.empty() || !safeRealm(realm_)) {
    // Clients echo the realm back without escaping, so quotes would break their answer.
    config.problem("realm", realm_, "a non-empty text without quotes, backslashes or controls");
  }
  nonceLifetimeS_ = config.getInt("nonce_lifetime_s", nonceLifetimeS_, 10, 86400);
  maxBodyBytes_ = static_cast<std::size_t>(
      config.getInt("max_body_bytes", static_cast<long long>(maxBodyBytes_), 1024, 16 << 20));

  accessPointSetting_ = config.getEnum("access_point", "request", {"request", "0", "1"});
  if (accessPointSetting_ != "request") {
    options_.accessPointOverride = accessPointSetting_ == "1" ? 1 : 0;
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

  auth_ = std::make_unique<HttpAuthenticator>(authMode_, HttpCredentials{username_, password},
                                              realm_, std::chrono::seconds(nonceLifetimeS_));
}

StartResult Source2nLpr::start() {
  if (started_) return StartResult::ok();
  if (!ctx_ || !auth_) return StartResult::fatal("not configured");
  Metrics& metrics = ctx_->metrics();
  const std::string& id = ctx_->instanceId();
  // Registered up front so the series exist (at 0) before the first failure.
  for (const char* status : {"200", "401", "403"}) {
    metrics.counter(kRequestsMetric, kRequestsHelp, {{"plugin", id}, {"code", status}});
  }
  for (const char* kind : kErrorKinds) {
    metrics.counter(kErrorsMetric, kErrorsHelp, {{"plugin", id}, {"kind", kind}});
  }

  HttpRoute route;
  route.path = path_;  // any method: a wrong one gets the 2N error 3, not the router's 405
  route.owner = id;
  route.claims = [this](const Poco::Net::HTTPServerRequest& request) { return claims(request); };
  route.handle = [this](Poco::Net::HTTPServerRequest& request,
                        Poco::Net::HTTPServerResponse& response) { handle(request, response); };
  ctx_->http().add(std::move(route));
  started_ = true;
  ctx_->logger().information("listening path=%s auth=%s user=\"%s\" allow_from=%s", path_,
                             toString(authMode_), username_,
                             std::string(allowFrom_.empty() ? "any" : "list"));
  return StartResult::ok();
}

void Source2nLpr::stop() noexcept {
  if (!started_ || !ctx_) return;
  try {
    ctx_->http().removeOwner(ctx_->instanceId());
  } catch (...) {
  }
  started_ = false;
}

void Source2nLpr::describe(std::ostream& out) const {
  out << "path=" << path_ << " auth=" << toString(authMode_) << " username=\"" << username_
      << "\" password=" << (passwordSet_ ? "<redacted>" : "<unset>") << " realm=\"" << realm_
      << "\" nonce_lifetime_s=" << nonceLifetimeS_ << " max_body_bytes=" << maxBodyBytes_
      << " access_point=" << accessPointSetting_ << " allow_from=";
  if (allowFromText_.empty()) out << "any";
  for (std::size_t i = 0; i < allowFromText_.size(); ++i) {
    out << (i ? "," : "") << allowFromText_[i];
  }
}

bool Source2nLpr::addressAllowed(const Poco::Net::IPAddress& address) const {
  if (allowFrom_.empty()) return true;
  for (const auto& network : allowFrom_) {
    if (network.contains(address)) return true;
  }
  return false;
}

// Several instances may share the path, one per camera account. An instance takes a request
// that names its user; one without credentials it takes only when its allow_from singles the
// camera out, otherwise the first instance on the path challenges it (any instance can verify
// any other's nonces, so the camera's answer then reaches the right one).
bool Source2nLpr::claims(const Poco::Net::HTTPServerRequest& request) const {
  if (!addressAllowed(request.clientAddress().host())) return false;
  if (authMode_ == HttpAuthMode::None) return true;
  if (auto user = HttpAuthenticator::claimedUser(request)) return *user == username_;
  return !allowFrom_.empty();
}

void Source2nLpr::handle(Poco::Net::HTTPServerRequest& request,
                         Poco::Net::HTTPServerResponse& response) {
  try {
    handleChecked(request, response);
  } catch (const std::exception& e) {
    // No exception leaves the data path: the camera gets the 2N catch-all and resends.
    ctx_->logger().error("request failed: %s", std::string(e.what()));
    if (!response.sent()) {
      answer(response, 200, errorEnvelope(twoNError(kErrProcessing)));
    }
  }
}

void Source2nLpr::handleChecked(Poco::Net::HTTPServerRequest& request,
                                Poco::Net::HTTPServerResponse& response) {
  const Poco::Net::IPAddress peer = unmapped(request.clientAddress().host());
  if (!addressAllowed(peer)) {
    rejectInput("forbidden");
    warnThrottled("forbidden",
                  "refused request from address not in allow_from ip=" + peer.toString());
    drainBody(request, response, maxBodyBytes_);
    TwoNError error = twoNError(kErrProcessing);
    error.description += " (source address not allowed)";
    answer(response, 403, errorEnvelope(error));
    return;
  }

  const auto outcome = auth_->evaluate(request);
  if (outcome.result != HttpAuthenticator::Result::Ok) {
    // Missing and Stale are the normal first leg of Digest and a nonce timing out.
    if (outcome.result == HttpAuthenticator::Result::Wrong) {
      rejectInput("auth");
      const auto user = HttpAuthenticator::claimedUser(request);
      warnThrottled("auth", "authentication failed ip=" + peer.toString() + " user=\"" +
                                user.value_or("") + "\" reason=\"" + outcome.reason + "\"");
    } else if (ctx_->logger().debug()) {
      ctx_->logger().debug("challenge ip=%s result=%s", peer.toString(), toString(outcome.result));
    }
    drainBody(request, response, maxBodyBytes_);
    auth_->challenge(response, outcome.result == HttpAuthenticator::Result::Stale);
    answer(response, 401, errorEnvelope(twoNError(kErrAuthorisationRequired)));
    return;
  }

  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
    rejectInput("method");
    drainBody(request, response, maxBodyBytes_);
    answer(response, 200, errorEnvelope(twoNError(kErrInvalidMethod)));
    return;
  }

  auto body = readBody(request, response, maxBodyBytes_);
  if (!body) {
    rejectInput("too_big");
    warnThrottled("too_big", "request body over max_body_bytes=" + std::to_string(maxBodyBytes_) +
                                 " ip=" + peer.toString());
    answer(response, 200, errorEnvelope(twoNError(kErrDataTooBig, {}, "too_big")));
    return;
  }

  auto parsed = parseTwoNLprRequest(*body, Clock::now(), options_);
  if (auto* error = std::get_if<TwoNError>(&parsed)) {
    rejectInput(error->kind);
    warnThrottled(error->kind, "rejected request ip=" + peer.toString() +
                                   " code=" + std::to_string(error->code) + " param=\"" +
                                   error->param + "\" kind=" + error->kind);
    answer(response, 200, errorEnvelope(*error));
    return;
  }

  auto& request2n = std::get<TwoNLprRequest>(parsed);
  PlateEvent& event = request2n.event;
  event.sourceId = ctx_->instanceId();
  const std::string maskedPlate = ctx_->maskPlate(event.plate);
  const std::string lprUuid = event.sourceEventId;
  const IngestResult result =
      ctx_->ingest().submit(std::move(event), request2n.image, request2n.imageExtension);
  if (result.status == IngestResult::Status::Failed) {
    rejectInput("store");
    warnThrottled("store", "read not stored, camera will resend plate=\"" + maskedPlate +
                               "\" lprUuid=" + lprUuid + " error=\"" + result.error + "\"");
    answer(response, 200, errorEnvelope(twoNError(kErrProcessing)));
    return;
  }
  if (ctx_->logger().debug()) {
    const char* status = result.status == IngestResult::Status::Stored      ? "stored"
                         : result.status == IngestResult::Status::Duplicate ? "duplicate"
                                                                            : "dropped";
    ctx_->logger().debug("read plate=\"%s\" lprUuid=%s status=%s event=%s ip=%s", maskedPlate,
                         lprUuid, std::string(status), result.eventId, peer.toString());
  }
  answer(response, 200, successEnvelope());
}

void Source2nLpr::answer(Poco::Net::HTTPServerResponse& response, int status,
                         const std::string& body) {
  ctx_->metrics()
      .counter(kRequestsMetric, kRequestsHelp,
               {{"plugin", ctx_->instanceId()}, {"code", std::to_string(status)}})
      .inc();
  sendJson(response, body, static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

void Source2nLpr::rejectInput(const std::string& kind) {
  ctx_->metrics()
      .counter(kErrorsMetric, kErrorsHelp, {{"plugin", ctx_->instanceId()}, {"kind", kind}})
      .inc();
}

void Source2nLpr::warnThrottled(const std::string& key, const std::string& message) {
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t suppressed = 0;
  {
    std::lock_guard lock(throttleMutex_);
    Throttle& throttle = throttle_[key];
    if (throttle.last != std::chrono::steady_clock::time_point{} &&
        now - throttle.last < kWarnEvery) {
      ++throttle.suppressed;
      return;
    }
    throttle.last = now;
    suppressed = throttle.suppressed;
    throttle.suppressed = 0;
  }
  if (suppressed > 0) {
    ctx_->logger().warning("%s (%s similar messages suppressed since the last one)", message,
                           std::to_string(suppressed));
  } else {
    ctx_->logger().warning(message);
  }
}

const PluginDescriptor kDescriptor{
    "source_2n_lpr", PluginKind::Source,
    "2N-compatible POST /api/lpr/licenseplate for camera apps in 2N mode (AXIS ALPV, Vaxtor)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<Source2nLpr>(); }};

}  // namespace lpr::plugins::source_2n_lpr
