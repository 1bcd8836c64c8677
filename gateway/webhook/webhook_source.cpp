#include "webhook/webhook_source.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <sstream>

#include "bus/ingest.h"
#include "config/config_reader.h"
#include "http/http_router.h"
#include "http/http_util.h"
#include "metrics/metrics.h"
#include "webhook/payload_values.h"
#include "webhook/read_result.h"

namespace lpr {

namespace {

const char* const kRequestsMetric = "lpr_http_requests_total";
const char* const kRequestsHelp = "HTTP requests answered by a source plugin, by HTTP status";
const char* const kErrorsMetric = "lpr_input_errors_total";
const char* const kErrorsHelp = "Requests a source plugin rejected, by kind";
const char* const kReadsMetric = "lpr_webhook_reads_total";
const char* const kReadsHelp = "Plate reads a push source handed to the store, by result";
const char* const kHeartbeatsMetric = "lpr_webhook_heartbeats_total";
const char* const kHeartbeatsHelp = "Keep-alive and status posts a push source answered";
const char* const kIgnoredMetric = "lpr_webhook_ignored_total";
const char* const kIgnoredHelp =
    "Well-formed posts that carried no plate read (previews, other objects)";
const char* const kTcpObjectsMetric = "lpr_webhook_tcp_objects_total";
const char* const kTcpObjectsHelp =
    "JSON objects a push source took off its raw TCP port (tcp_listen), by result";

const char* const kErrorKinds[] = {"auth",
                                   "forbidden",
                                   "method",
                                   "too_big",
                                   "malformed_json",
                                   "malformed_xml",
                                   "malformed_multipart",
                                   "missing_field",
                                   "bad_value",
                                   "unsupported_type",
                                   "bad_image",
                                   "store",
                                   "framing",
                                   "truncated"};

std::int64_t ticks(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string resultBody(const std::string& key, bool taken, const InputError* error) {
  Poco::JSON::Object root;
  root.set(key, taken);
  if (error) {
    Poco::JSON::Object detail;
    detail.set("kind", error->kind);
    if (!error->field.empty()) detail.set("field", error->field);
    detail.set("message", error->message);
    root.set("error", detail);
  }
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

}  // namespace

LocalZone readTimeZone(ConfigReader& config, const std::string& fallback) {
  const std::string text = config.getString("time_zone", fallback);
  if (auto zone = LocalZone::parse(text)) return *zone;
  config.problem("time_zone", text,
                 "UTC, +HH:MM, -HH:MM, system or a tz database zone such as Europe/Prague");
  return LocalZone::parse(fallback).value_or(LocalZone{});
}

WebhookSource::WebhookSource(std::unique_ptr<WebhookAdapter> adapter)
    : adapter_(std::move(adapter)) {}

void WebhookSource::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  path_ = config.getString("path", adapter_->defaultPath());
  if (path_.empty() || path_[0] != '/' || path_.find_first_of("?# ") != std::string::npos) {
    config.problem("path", path_, "an absolute URL path such as " + adapter_->defaultPath());
  }
  guard_.configure(config, adapter_->defaultAuth(),
                   {"none", "basic", "digest", "any", "token", "secret_path"});
  maxBodyBytes_ = static_cast<std::size_t>(
      config.getInt("max_body_bytes", static_cast<long long>(maxBodyBytes_), 1024, 64ll << 20));
  accessPoint_ = config.getEnum("access_point", accessPoint_, {"0", "1", "direction"});
  heartbeatTimeoutS_ = config.getInt("heartbeat_timeout_s", heartbeatTimeoutS_, 0, 7 * 86400);
  if (adapter_->acceptsTcp()) configureTcp(config);
  adapter_->configure(config);
  configured_ = true;
}

void WebhookSource::configureTcp(ConfigReader& config) {
  tcpListen_ = config.getString("tcp_listen", "");
  tcpOptions_.idleTimeoutS =
      static_cast<int>(config.getInt("tcp_idle_timeout_s", tcpOptions_.idleTimeoutS, 10, 86400));
  if (tcpListen_.empty()) return;
  const auto colon = tcpListen_.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon + 1 < tcpListen_.size() &&
      tcpListen_.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
      tcpListen_.size() - colon - 1 <= 5) {
    port = std::stoi(tcpListen_.substr(colon + 1));
  }
  if (port < 0 || port > 65535 || colon == 0) {
    config.problem("tcp_listen", tcpListen_, "host:port, e.g. 0.0.0.0:9500");
    return;
  }
  tcpOptions_.host = tcpListen_.substr(0, colon);
  tcpOptions_.port = port;
  tcpOptions_.maxObjectBytes = maxBodyBytes_;
  tcpOptions_.allowFrom = guard_.allowFrom();
  if (tcpOptions_.allowFrom.empty()) {
    // Raw TCP has no credentials: the address is the only thing that tells the camera apart.
    config.problem("tcp_listen", tcpListen_,
                   "a TCP push has no authentication: set " + config.fullKey("allow_from") +
                       " to the camera's address as well");
  }
}

bool WebhookSource::takeTcpObject(std::string object, const std::string& peer) {
  WebhookRequest webhook;
  webhook.method = "TCP";
  webhook.path = tcpListen_;
  webhook.contentType = "application/json";
  webhook.body = std::move(object);
  webhook.receivedAt = Clock::now();
  try {
    const Outcome outcome = process(webhook, peer);
    count(kTcpObjectsMetric, kTcpObjectsHelp, "result",
          outcome.kind == Outcome::Kind::Taken     ? "taken"
          : outcome.kind == Outcome::Kind::Refused ? "refused"
                                                   : "not_stored");
    // Nothing can be answered on a raw TCP push; closing is the only cue a sender that keeps
    // unsent events (ALPV's event buffer) has to send them again.
    return outcome.kind != Outcome::Kind::NotStored;
  } catch (const std::exception& e) {
    ctx_->logger().error("TCP object failed: %s", std::string(e.what()));
    return false;
  }
}

StartResult WebhookSource::start() {
  if (started_) return StartResult::ok();
  if (!ctx_ || !configured_) return StartResult::fatal("not configured");
  Metrics& metrics = ctx_->metrics();
  const std::string& id = ctx_->instanceId();
  // Registered up front so the series exist (at 0) before the first failure.
  for (const char* code : {"200", "400", "401", "403", "413", "503"}) {
    metrics.counter(kRequestsMetric, kRequestsHelp, {{"plugin", id}, {"code", code}});
  }
  for (const char* kind : kErrorKinds) {
    metrics.counter(kErrorsMetric, kErrorsHelp, {{"plugin", id}, {"kind", kind}});
  }
  for (const char* result : kReadResults) {
    metrics.counter(kReadsMetric, kReadsHelp, {{"plugin", id}, {"result", result}});
  }
  metrics.counter(kHeartbeatsMetric, kHeartbeatsHelp, {{"plugin", id}});
  metrics.counter(kIgnoredMetric, kIgnoredHelp, {{"plugin", id}});

  HttpRoute route;
  route.path = guard_.routePath(path_);  // any method: a wrong one is counted, then refused
  if (adapter_->routesSubpaths()) {
    if (route.path.empty() || route.path.back() != '/') route.path += '/';
    route.prefix = true;
  }
  route.owner = id;
  route.claims = [this](const Poco::Net::HTTPServerRequest& request) {
    return guard_.claims(request);
  };
  route.handle = [this](Poco::Net::HTTPServerRequest& request,
                        Poco::Net::HTTPServerResponse& response) { handle(request, response); };
  ctx_->http().add(std::move(route));
  if (!tcpListen_.empty()) {
    for (const char* result : {"taken", "refused", "not_stored"}) {
      metrics.counter(kTcpObjectsMetric, kTcpObjectsHelp, {{"plugin", id}, {"result", result}});
    }
    tcp_ = std::make_unique<TcpPushListener>(
        tcpOptions_,
        [this](std::string object, const std::string& peer) {
          return takeTcpObject(std::move(object), peer);
        },
        [this](const std::string& kind, const std::string& detail, const std::string& peer) {
          reject({kind, "", detail}, peer, "tcp");
        });
    try {
      tcp_->start();
    } catch (const Poco::Exception& e) {
      tcp_.reset();
      ctx_->http().removeOwner(id);
      // Often a port still held by a process that is going away: worth another try.
      return StartResult::retryLater(ctx_->config().fullKey("tcp_listen") + " = " + tcpListen_ +
                                     " cannot be bound: " + e.displayText());
    }
    ctx_->logger().information("listening tcp=%s:%d allow_from=%s", tcpOptions_.host, tcp_->port(),
                               std::to_string(tcpOptions_.allowFrom.size()) + " network(s)");
  }
  startedAt_ = std::chrono::steady_clock::now();
  started_ = true;
  ctx_->logger().information("listening path=%s %s", guard_.shownPath(path_), guard_.describe());
  return StartResult::ok();
}

void WebhookSource::stop() noexcept {
  if (!started_ || !ctx_) return;
  try {
    ctx_->http().removeOwner(ctx_->instanceId());
  } catch (...) {
  }
  if (tcp_) tcp_->stop();
  tcp_.reset();
  started_ = false;
}

void WebhookSource::describe(std::ostream& out) const {
  out << "path=" << guard_.shownPath(path_) << " max_body_bytes=" << maxBodyBytes_
      << " access_point=" << accessPoint_ << " heartbeat_timeout_s=" << heartbeatTimeoutS_ << " "
      << guard_.describe();
  if (!tcpListen_.empty()) {
    out << " tcp_listen=" << tcpListen_ << " tcp_idle_timeout_s=" << tcpOptions_.idleTimeoutS;
  }
  adapter_->describe(out);
}

Health WebhookSource::health() const {
  const auto now = std::chrono::steady_clock::now();
  const std::int64_t heartbeat = lastHeartbeat_.load();
  const std::int64_t contact = std::max({heartbeat, lastRead_.load(), ticks(startedAt_)});
  const std::int64_t silentS = (ticks(now) - contact) / 1000;
  if (started_ && heartbeatTimeoutS_ > 0 && silentS > heartbeatTimeoutS_) {
    return Health::degraded("no heartbeat or read from the camera for " + std::to_string(silentS) +
                            " s (heartbeat_timeout_s=" + std::to_string(heartbeatTimeoutS_) + ")");
  }
  if (heartbeat == 0) return Health::ok();
  return Health::ok("last heartbeat " + std::to_string((ticks(now) - heartbeat) / 1000) + " s ago");
}

void WebhookSource::handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  try {
    handleChecked(request, response);
  } catch (const std::exception& e) {
    // No exception leaves the data path; the sender sees a retryable error and resends.
    ctx_->logger().error("request failed: %s", std::string(e.what()));
    if (!response.sent()) {
      answer(response, 503, "application/json",
             errorBody({"store", "", "the gateway could not process the request"}));
    }
  }
}

void WebhookSource::handleChecked(Poco::Net::HTTPServerRequest& request,
                                  Poco::Net::HTTPServerResponse& response) {
  const std::string peer = unmappedAddress(request.clientAddress().host()).toString();
  const RouteGuard::Check check = guard_.check(request);
  if (check.verdict == RouteGuard::Verdict::Forbidden) {
    drainBody(request, response, maxBodyBytes_);
    refuse(response, 403, {"forbidden", "", "source address not allowed"}, peer);
    return;
  }
  if (check.verdict != RouteGuard::Verdict::Pass) {
    // A challenge is the normal first leg of Digest, or a nonce timing out: not an error.
    if (check.verdict == RouteGuard::Verdict::Wrong) {
      count(kErrorsMetric, kErrorsHelp, "kind", "auth");
      throttle_.warn(ctx_->logger(), "auth",
                     "authentication failed ip=" + peer + " reason=\"" + check.reason + "\"");
    }
    drainBody(request, response, maxBodyBytes_);
    guard_.challenge(response, check.stale);
    answer(response, 401, "application/json", errorBody({"auth", "", "authentication required"}));
    return;
  }
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
    drainBody(request, response, maxBodyBytes_);
    response.set("Allow", "POST");
    refuse(response, 405, {"method", "", "only POST is accepted here"}, peer);
    return;
  }
  auto body = readBody(request, response, maxBodyBytes_);
  if (!body) {
    refuse(response, 413,
           {"too_big", "", "body over max_body_bytes=" + std::to_string(maxBodyBytes_)}, peer);
    return;
  }

  WebhookRequest webhook;
  webhook.method = request.getMethod();
  const std::string& uri = request.getURI();
  const auto question = uri.find('?');
  webhook.path = uri.substr(0, question);
  if (question != std::string::npos) webhook.query = uri.substr(question + 1);
  webhook.contentType = request.get("Content-Type", "");
  webhook.body = std::move(*body);
  webhook.receivedAt = Clock::now();

  const Outcome outcome = process(webhook, peer);
  switch (outcome.kind) {
    case Outcome::Kind::Taken:
      answer(response, 200, "application/json", resultBody(adapter_->resultKey(), true, nullptr));
      break;
    case Outcome::Kind::Refused:
      answer(response, 400, "application/json", errorBody(outcome.error));
      break;
    case Outcome::Kind::NotStored:
      // The reads that were stored are duplicates when the sender tries again.
      answer(response, 503, "application/json", errorBody(outcome.error));
      break;
  }
}

WebhookSource::Outcome WebhookSource::process(const WebhookRequest& webhook,
                                              const std::string& peer) {
  Conversion conversion;
  try {
    conversion = adapter_->convert(webhook);
  } catch (const std::exception& e) {
    // A converter bug must not make the camera resend the same payload forever.
    ctx_->logger().error("converter failed: %s", std::string(e.what()));
    conversion = Conversion::failure("bad_value", "", "payload could not be converted");
  }
  if (conversion.error) {
    reject(*conversion.error, peer, "400");
    return {Outcome::Kind::Refused, *conversion.error};
  }
  for (const auto& warning : conversion.warnings) {
    count(kErrorsMetric, kErrorsHelp, "kind", warning.kind);
    throttle_.warn(ctx_->logger(), warning.kind,
                   "part of a post dropped ip=" + peer + " kind=" + warning.kind + " field=\"" +
                       warning.field + "\" reason=\"" + warning.message + "\"");
  }
  if (conversion.heartbeat) {
    lastHeartbeat_ = ticks(std::chrono::steady_clock::now());
    count(kHeartbeatsMetric, kHeartbeatsHelp, "", "");
  } else if (conversion.reads.empty()) {
    count(kIgnoredMetric, kIgnoredHelp, "", "");
    if (ctx_->logger().debug()) {
      ctx_->logger().debug("post without a read ip=%s reason=\"%s\"", peer, conversion.ignored);
    }
  }
  return ingest(conversion, peer);
}

WebhookSource::Outcome WebhookSource::ingest(Conversion& conversion, const std::string& peer) {
  bool failed = false;
  std::string failure;
  for (auto& read : conversion.reads) {
    PlateEvent& event = read.event;
    event.sourceId = ctx_->instanceId();
    if (accessPoint_ == "direction") {
      event.accessPoint = event.direction == Direction::Out ? 1 : 0;
    } else {
      event.accessPoint = accessPoint_ == "1" ? 1 : 0;
    }
    const std::string masked = ctx_->maskPlate(event.plate);
    const std::string vendorId = event.sourceEventId;
    const IngestResult result =
        ctx_->ingest().submit(std::move(event), read.image, read.imageExtension);
    const char* status = readResultLabel(result.status);
    count(kReadsMetric, kReadsHelp, "result", status);
    if (result.status == IngestResult::Status::Failed) {
      failed = true;
      failure = result.error;
      throttle_.warn(ctx_->logger(), "store",
                     "read not stored, the camera must resend plate=\"" + masked +
                         "\" id=" + vendorId + " error=\"" + result.error + "\"");
      continue;
    }
    lastRead_ = ticks(std::chrono::steady_clock::now());
    if (ctx_->logger().debug()) {
      ctx_->logger().debug("read plate=\"%s\" id=%s status=%s event=%s ip=%s", masked, vendorId,
                           std::string(status), result.eventId, peer);
    }
  }
  if (failed) {
    count(kErrorsMetric, kErrorsHelp, "kind", "store");
    return {Outcome::Kind::NotStored, {"store", "", "not stored, send again: " + failure}};
  }
  return {Outcome::Kind::Taken, {}};
}

std::string WebhookSource::errorBody(const InputError& error) const {
  return resultBody(adapter_->resultKey(), false, &error);
}

void WebhookSource::refuse(Poco::Net::HTTPServerResponse& response, int status,
                           const InputError& error, const std::string& peer) {
  reject(error, peer, std::to_string(status));
  answer(response, status, "application/json", errorBody(error));
}

void WebhookSource::reject(const InputError& error, const std::string& peer,
                           const std::string& status) {
  count(kErrorsMetric, kErrorsHelp, "kind", error.kind);
  throttle_.warn(ctx_->logger(), error.kind,
                 "refused post ip=" + peer + " status=" + status + " kind=" + error.kind +
                     " field=\"" + error.field + "\" reason=\"" + error.message + "\"");
}

void WebhookSource::answer(Poco::Net::HTTPServerResponse& response, int status,
                           const std::string& contentType, const std::string& body) {
  count(kRequestsMetric, kRequestsHelp, "code", std::to_string(status));
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(contentType);
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

void WebhookSource::count(const char* metric, const char* help, const std::string& label,
                          const std::string& value) {
  Labels labels{{"plugin", ctx_->instanceId()}};
  if (!label.empty()) labels.push_back({label, value});
  ctx_->metrics().counter(metric, help, labels).inc();
}

}  // namespace lpr
