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

const char* const kRequestsMetric = "lpr_http_requests_total";
const char* const kRequestsHelp = "HTTP requests answered by a source plugin, by HTTP status";
const char* const kErrorsMetric = "lpr_input_errors_total";
const char* const kErrorsHelp = "Requests a source plugin rejected, by kind";
const char* const kErrorKinds[] = {"auth",      "method",  "malformed_json", "missing_field",
                                   "bad_value", "too_big", "forbidden",      "store"};

}  // namespace

void Source2nLpr::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();

  path_ = config.getString("path", path_);
  if (path_.empty() || path_[0] != '/' || path_.find_first_of("?# ") != std::string::npos) {
    config.problem("path", path_, "an absolute URL path such as /api/lpr/licenseplate");
  }

  guard_.configure(config, "digest", {"none", "basic", "digest", "any"});
  maxBodyBytes_ = static_cast<std::size_t>(
      config.getInt("max_body_bytes", static_cast<long long>(maxBodyBytes_), 1024, 16 << 20));

  accessPointSetting_ = config.getEnum("access_point", "request", {"request", "0", "1"});
  if (accessPointSetting_ != "request") {
    options_.accessPointOverride = accessPointSetting_ == "1" ? 1 : 0;
  }

  configured_ = true;
}

StartResult Source2nLpr::start() {
  if (started_) return StartResult::ok();
  if (!ctx_ || !configured_) return StartResult::fatal("not configured");
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
  ctx_->logger().information("listening path=%s %s", path_, guard_.describe());
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
  out << "path=" << path_ << " max_body_bytes=" << maxBodyBytes_
      << " access_point=" << accessPointSetting_ << " " << guard_.describe();
}

bool Source2nLpr::claims(const Poco::Net::HTTPServerRequest& request) const {
  return guard_.claims(request);
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
  const Poco::Net::IPAddress peer = unmappedAddress(request.clientAddress().host());
  const RouteGuard::Check check = guard_.check(request);
  if (check.verdict == RouteGuard::Verdict::Forbidden) {
    rejectInput("forbidden");
    warnThrottled("forbidden",
                  "refused request from address not in allow_from ip=" + peer.toString());
    drainBody(request, response, maxBodyBytes_);
    TwoNError error = twoNError(kErrProcessing);
    error.description += " (source address not allowed)";
    answer(response, 403, errorEnvelope(error));
    return;
  }

  if (check.verdict != RouteGuard::Verdict::Pass) {
    // A challenge is the normal first leg of Digest, or a nonce timing out.
    if (check.verdict == RouteGuard::Verdict::Wrong) {
      rejectInput("auth");
      const auto user = HttpAuthenticator::claimedUser(request);
      warnThrottled("auth", "authentication failed ip=" + peer.toString() + " user=\"" +
                                user.value_or("") + "\" reason=\"" + check.reason + "\"");
    } else if (ctx_->logger().debug()) {
      ctx_->logger().debug("challenge ip=%s reason=%s", peer.toString(), check.reason);
    }
    drainBody(request, response, maxBodyBytes_);
    guard_.challenge(response, check.stale);
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
  throttle_.warn(ctx_->logger(), key, message);
}

const PluginDescriptor kDescriptor{
    "source_2n_lpr", PluginKind::Source,
    "2N-compatible POST /api/lpr/licenseplate for camera apps in 2N mode (AXIS ALPV, Vaxtor)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<Source2nLpr>(); }};

}  // namespace lpr::plugins::source_2n_lpr
