#include "sink_2n.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "bus/verdict_board.h"
#include "metrics/metrics.h"

namespace lpr::plugins::sink_2n {

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Unknown 2N errors (14 "unspecified processing error", codes not in the table, a 200 that is
// not an API reply) are retried this many times for one read, then it is rejected, so that a
// permanent one cannot block the queue for good.
constexpr int kUnknownAttempts = 3;
// Snapshots larger than this on disk are not even read (a camera's JPEG is well below).
constexpr std::uintmax_t kMaxImageFileBytes = 32u << 20;

// Keys directly below `<prefix>.<key>.` (the source ids of access_point.<source>). ConfigReader
// offers no way to list them yet; when the core adds `childKeys(key)` (see README), this uses it.
// Until then such keys are reported as unknown by the host's check, never silently ignored.
template <typename Reader>
std::vector<std::string> childKeysOf(Reader& reader, std::string_view key) {
  if constexpr (requires { reader.childKeys(key); }) {
    auto keys = reader.childKeys(key);
    return std::vector<std::string>(keys.begin(), keys.end());
  } else {
    return {};
  }
}

bool validInstanceId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool readable(const std::string& path) {
  try {
    Poco::File file(path);
    return file.exists() && file.isFile() && file.canRead();
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::string linkName(int link) {
  static const char* const kNames[] = {"ok", "slow", "unreachable", "failed"};
  return kNames[link];
}

}  // namespace

Sink2n::Sink2n() = default;

Sink2n::~Sink2n() { stop(); }

std::string Sink2n::key(const std::string& name) const {
  return ctx_ != nullptr ? ctx_->config().fullKey(name) : name;
}

void Sink2n::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  settings_.client = readConnection(config, settings_.host);
  settings_.maxImageChars = static_cast<std::size_t>(
      config.getInt("max_image_bytes", static_cast<long long>(kMaxPlateImageChars), 0,
                    static_cast<long long>(kMaxPlateImageChars)));
  settings_.slow = std::chrono::milliseconds(config.getInt("slow_ms", 1000, 1, 600000));
  DeviceWatchOptions& watch = settings_.watch;
  watch.verdicts = config.getBool("verdicts.enabled", true);
  watch.verdictWindow =
      std::chrono::milliseconds(config.getInt("verdicts.window_ms", 10000, 100, 600000));
  watch.mirror = config.getBool("mirror.enabled", true);
  watch.mirrorPath = config.getString(
      "mirror.path", ctx.dataDirectory() + "/2n-directory-" + ctx.instanceId() + ".db");
  watch.syncInterval =
      std::chrono::seconds(config.getInt("mirror.sync_interval_s", 300, 10, 7 * 86400));
  if (watch.verdicts) ctx.verdicts().registerAuthority(ctx.instanceId());
  for (const std::string& source : childKeysOf(config, "access_point")) {
    const std::string name = "access_point." + source;
    if (!validInstanceId(source)) {
      config.problem(name, config.getString(name, ""),
                     "a source instance id ([a-z0-9_]+) after access_point.");
      continue;
    }
    settings_.accessPoints[source] = static_cast<int>(config.getInt(name, 0, 0, 1));
  }

  const Labels labels{{"plugin", ctx.instanceId()}};
  Metrics& metrics = ctx.metrics();
  latency_ = &metrics.histogram("lpr_2n_forward_latency_seconds",
                                "Time a 2N device took to answer a forwarded plate read", labels,
                                Metrics::latencyBoundsSeconds());
  imagesDropped_ = &metrics.counter(
      "lpr_2n_images_dropped_total",
      "Plate reads forwarded to a 2N device without their snapshot (unreadable, undecodable, "
      "or refused by the device)",
      labels);
  imagesReencoded_ = &metrics.counter(
      "lpr_2n_images_reencoded_total",
      "Snapshots re-encoded smaller to fit the 2N limit before forwarding", labels);
}

std::shared_ptr<TwoNClient> Sink2n::client() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_ ? client_ : nullptr;
}

std::optional<FirmwareVersion> Sink2n::firmware() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return firmware_;
}

std::string Sink2n::deviceName() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return deviceName_;
}

void Sink2n::setConfigErrorHold(std::chrono::milliseconds hold) {
  std::lock_guard<std::mutex> lock(mutex_);
  configErrorHold_ = hold;
}

std::string Sink2n::setupFix(int code) const {
  switch (code) {
    case 9:
      return "check " + key("username") +
             "/password and the HTTP API account on the device "
             "(Services > HTTP API > Account: enabled, same user name and password)";
    case 10:
      return "give the account the Access Control privilege (Services > HTTP API > Account)";
    case 4:
      return "enable API Access Control in Services > HTTP API";
    case 7:
      return "the device accepts this service over HTTPS only: set " + key("scheme") +
             " = https with " + key("tls.fingerprint_sha256") + " or " + key("tls.ca_file");
    case 8:
      return "set " + key("auth") +
             " to the authentication chosen for API Access Control in Services > HTTP API "
             "(Digest recommended)";
    case 1:
    case 2:
      return "this device or firmware has no /api/lpr/licenseplate (it needs Access Control "
             "support; update the firmware)";
    case 5:
      return "the function needs a licence on the device";
    default:
      return "check the device's HTTP API settings";
  }
}

Sink2n::Verdict Sink2n::classify(const TwoNReply& reply) const {
  using Kind = Verdict::Kind;
  const std::string where =
      "2N device " + settings_.client.host +
      (settings_.client.port ? ":" + std::to_string(settings_.client.port) : std::string());
  switch (reply.failure) {
    case TwoNReply::Failure::None:
      break;
    case TwoNReply::Failure::Timeout:
      return {Kind::Retry, "timeout", reply.detail};
    case TwoNReply::Failure::Connection:
      return {Kind::Retry, "connection", reply.detail};
    case TwoNReply::Failure::Tls:
      return {Kind::Retry, "tls", reply.detail};
    case TwoNReply::Failure::Protocol:
      return {Kind::Retry, "protocol", reply.detail};
    case TwoNReply::Failure::Certificate:
      return {
          Kind::Setup, "certificate",
          where + ": " + reply.detail + "; " +
              (settings_.client.fingerprintSha256.empty()
                   ? "check " + key("tls.ca_file") +
                         " (the CA that signed the device "
                         "certificate) and that the certificate names " +
                         settings_.client.host
                   : "if the device certificate was renewed on purpose, put its new "
                     "fingerprint in " +
                         key("tls.fingerprint_sha256") +
                         " (see the README); otherwise something else answers at this address")};
    case TwoNReply::Failure::AuthScheme:
      return {Kind::Setup, "auth_scheme", where + ": " + reply.detail + "; " + setupFix(8)};
  }
  const std::string answered = where + " answered " + reply.summary();
  if (reply.envelope) {
    if (reply.success) return {Kind::Ok, {}, {}};
    const int code = reply.error ? reply.error->code : 0;
    const std::string param = reply.error ? reply.error->param : std::string();
    switch (code) {
      case 1:
      case 2:
      case 4:
      case 5:
      case 7:
      case 8:
      case 9:
      case 10:
        return {Kind::Setup, std::to_string(code), answered + "; " + setupFix(code)};
      case 3:
      case 11:
        return {Kind::Reject, std::to_string(code),
                answered + "; the gateway's request is incomplete (please report this)"};
      case 12:
        return {Kind::Reject, "12",
                answered + (param == "plateText"
                                ? "; firmware before 2.47 may take at most 10 characters"
                                : "; the device refused this value of the read")};
      case 13:
        return {Kind::Reject, "13", answered + "; the device refused the size of this value"};
      default:
        return {Kind::Unknown, std::to_string(code), answered};
    }
  }
  const int status = reply.httpStatus;
  const std::string code = "http_" + std::to_string(status);
  if (status == 401) return {Kind::Setup, code, answered + "; " + setupFix(9)};
  if (status == 403) return {Kind::Setup, code, answered + "; " + setupFix(10)};
  if (status == 404) {
    return {Kind::Setup, code,
            answered + "; is " + key("host") + " a 2N device with the LPR function?"};
  }
  if (status >= 300 && status < 400) {
    return {Kind::Setup, code,
            answered + "; a redirect usually means the device wants HTTPS: set " + key("scheme") +
                " = https"};
  }
  if (status == 408 || status == 429 || status >= 500) return {Kind::Retry, code, answered};
  if (status >= 400) return {Kind::Reject, code, answered};
  return {Kind::Unknown, "invalid_reply", answered};
}

StartResult Sink2n::start() {
  if (ctx_ == nullptr) return StartResult::fatal("start() before configure()");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_) return StartResult::ok();
  }
  const TwoNClientOptions& options = settings_.client;
  if (!options.caFile.empty() && !readable(options.caFile)) {
    return StartResult::fatal(key("tls.ca_file") + " = \"" + options.caFile + "\" cannot be read");
  }
  std::shared_ptr<TwoNClient> client;
  try {
    client = std::make_shared<TwoNClient>(options);
  } catch (const std::invalid_argument& e) {
    return StartResult::fatal(ctx_->config().prefix() + ": " + e.what());
  } catch (const Poco::Exception& e) {
    return StartResult::fatal(key("tls.ca_file") + " = \"" + options.caFile +
                              "\" cannot be used: " + e.displayText());
  }
  const std::string url = client->baseUrl();

  // 1. What the device is (no privilege needed).
  TwoNReply info = client->get(kSystemInfoPath);
  Verdict verdict = classify(info);
  if (verdict.kind == Verdict::Kind::Retry) {
    noteAnswer(info);
    return StartResult::retryLater("cannot reach 2N device " + url + ": " + info.summary() +
                                   "; is it on and reachable at " + key("host") + "?");
  }
  if (verdict.kind == Verdict::Kind::Setup) {
    setLink(Link::Failed, verdict.why);
    return StartResult::fatal(verdict.why);
  }
  if (!info.ok()) {
    noteAnswer(info);
    return StartResult::retryLater("2N device " + url + " answered " + kSystemInfoPath + " with " +
                                   info.summary() + "; is " + key("host") + " a 2N device?");
  }
  std::string swVersion, name;
  if (info.result) {
    swVersion = info.result->optValue<std::string>("swVersion", "");
    name = info.result->optValue<std::string>("deviceName", "");
    if (name.empty()) name = info.result->optValue<std::string>("variant", "");
  }
  const std::optional<FirmwareVersion> firmware = parseFirmwareVersion(swVersion);

  // 2. Credentials, privilege and service, without side effects: an LPR request without its
  // mandatory fields is answered 11 (missing parameter) only after those checks pass.
  TwoNReply probe = client->postJson(kLprPath, "{}");
  verdict = classify(probe);
  const bool fieldsMissing =
      probe.envelope && probe.error && (probe.error->code == 11 || probe.error->code == 12);
  if (verdict.kind == Verdict::Kind::Retry) {
    noteAnswer(probe);
    return StartResult::retryLater("cannot reach 2N device " + url + ": " + probe.summary() +
                                   "; is it on and reachable at " + key("host") + "?");
  }
  if (verdict.kind == Verdict::Kind::Setup) {
    setLink(Link::Failed, verdict.why);
    return StartResult::fatal(verdict.why);
  }
  if (!probe.ok() && !fieldsMissing) {
    ctx_->logger().warning(
        "2N device %s answered the credentials check (an empty LPR request) with %s; carrying on",
        url, probe.summary());
  }

  const bool includeIdAndDir = supportsLprIdAndDir(firmware);
  if (!watch_ && (settings_.watch.verdicts || settings_.watch.mirror)) {
    settings_.watch.client = options;
    try {
      watch_ = std::make_unique<DeviceWatch>(settings_.watch, *ctx_);
    } catch (const Poco::Exception& e) {
      return StartResult::fatal(key("mirror.path") + " = \"" + settings_.watch.mirrorPath +
                                "\" cannot be used: " + e.displayText());
    } catch (const std::invalid_argument& e) {
      return StartResult::fatal(ctx_->config().prefix() + ": " + e.what());
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    client_ = client;
    started_ = true;
    firmware_ = firmware;
    swVersion_ = swVersion;
    deviceName_ = name;
    includeLprIdAndDir_ = includeIdAndDir;
  }
  noteAnswer(probe.ok() || fieldsMissing ? probe : info);
  if (watch_) {
    watch_->start([this](bool available) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        logAvailable_ = available;
      }
      publishAvailability();
    });
  }
  ctx_->logger().information(
      "2N device connected url=%s device=\"%s\" firmware=%s auth=%s lprID/lprDir=%s", url, name,
      swVersion.empty() ? std::string("unknown") : swVersion, toString(options.auth),
      std::string(includeIdAndDir ? "sent" : "left out (firmware before 2.40)"));
  if (!firmware) {
    ctx_->logger().warning(
        "2N device %s reports firmware \"%s\", which is not a version number; sending lprID and "
        "lprDir as for 2.40 and later",
        url, swVersion);
  }
  return StartResult::ok();
}

void Sink2n::stop() noexcept {
  if (watch_) watch_->stop();
  try {
    std::shared_ptr<TwoNClient> client;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!started_ && !client_) return;
      started_ = false;
      client = std::move(client_);
    }
    if (client) client->disconnect();
    std::lock_guard<std::mutex> deliverLock(deliverMutex_);
    cache_.reset();
    if (ctx_ != nullptr) ctx_->logger().information("2N forwarding stopped");
  } catch (...) {
    // stop() must not throw.
  }
}

void Sink2n::describe(std::ostream& out) const {
  const TwoNClientOptions& c = settings_.client;
  out << "host = " << settings_.host << "\n"
      << "scheme = " << toString(c.scheme) << "\n"
      << "username = " << c.username << "\n"
      << "password = " << (c.password.empty() ? "" : "<redacted>") << "\n"
      << "auth = " << toString(c.auth) << "\n"
      << "tls.fingerprint_sha256 = "
      << (c.fingerprintSha256.empty() ? "" : formatFingerprint(c.fingerprintSha256)) << "\n"
      << "tls.ca_file = " << c.caFile << "\n"
      << "allow_basic_over_http = " << (c.allowBasicOverHttp ? "true" : "false") << "\n"
      << "timeout_ms = " << c.timeout.count() << "\n"
      << "max_image_bytes = " << settings_.maxImageChars << "\n"
      << "slow_ms = " << settings_.slow.count() << "\n"
      << "verdicts.enabled = " << (settings_.watch.verdicts ? "true" : "false") << "\n"
      << "verdicts.window_ms = " << settings_.watch.verdictWindow.count() << "\n"
      << "mirror.enabled = " << (settings_.watch.mirror ? "true" : "false") << "\n"
      << "mirror.path = " << settings_.watch.mirrorPath << "\n"
      << "mirror.sync_interval_s = " << settings_.watch.syncInterval.count() << "\n";
  for (const auto& [source, accessPoint] : settings_.accessPoints) {
    out << "access_point." << source << " = " << accessPoint << "\n";
  }
}

Health Sink2n::health() const {
  Health health = linkHealth();
  if (!watch_) return health;
  if (settings_.watch.verdicts) {
    health.detail += watch_->logConnected() ? "; verdicts: log channel open"
                                            : "; verdicts: log channel not open";
  }
  if (const DirectoryMirror* mirror = watch_->mirror()) {
    auto fresh = mirror->lastConfirmedFresh();
    health.detail += "; directory mirror: " +
                     (fresh ? "confirmed " + formatUtc(*fresh) : std::string("never synced"));
  }
  return health;
}

Health Sink2n::linkHealth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  switch (link_) {
    case Link::Ok:
      return Health::ok(linkDetail_);
    case Link::Slow:
      return Health::degraded(linkDetail_);
    case Link::Unreachable:
      return Health::unreachable(linkDetail_);
    case Link::Failed:
      return Health::failed(linkDetail_);
  }
  return Health::ok();
}

void Sink2n::setLink(Link link, const std::string& detail) {
  Link old;
  std::chrono::milliseconds hold;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = link_;
    link_ = link;
    linkDetail_ = detail;
    hold = configErrorHold_;
  }
  if (old == link || ctx_ == nullptr) return;
  publishAvailability();
  Poco::Logger& log = ctx_->logger();
  switch (link) {
    case Link::Ok:
      log.information("2N device answering normally again (was %s): %s",
                      linkName(static_cast<int>(old)), detail);
      break;
    case Link::Slow:
      log.warning("2N device slow: %s", detail);
      break;
    case Link::Unreachable:
      log.warning("2N device unreachable, reads are kept and retried: %s", detail);
      break;
    case Link::Failed:
      log.error(
          "2N device refuses the gateway; reads are held and tried again every %s s until "
          "this is fixed: %s",
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(hold).count()), detail);
      break;
  }
}

void Sink2n::publishAvailability() {
  if (ctx_ == nullptr || !settings_.watch.verdicts) return;
  bool available;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    available = logAvailable_ && (link_ == Link::Ok || link_ == Link::Slow);
    if (publishedAvailable_ == available) return;
    publishedAvailable_ = available;
  }
  ctx_->verdicts().setAuthorityAvailable(ctx_->instanceId(), available);
}

void Sink2n::noteAnswer(const TwoNReply& reply) {
  if (!reply.answered()) {
    setLink(Link::Unreachable, "unreachable: " + reply.detail);
    return;
  }
  const std::string where = settings_.client.host;
  if (reply.elapsed > settings_.slow) {
    setLink(Link::Slow, "slow: " + where + " answered in " + std::to_string(reply.elapsed.count()) +
                            " ms (slow_ms = " + std::to_string(settings_.slow.count()) + ")");
  } else {
    std::string detail = "forwarding to " + where;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!deviceName_.empty()) detail += " (" + deviceName_ + ", firmware " + swVersion_ + ")";
    }
    setLink(Link::Ok, detail);
  }
}

void Sink2n::countError(const std::string& code) {
  if (ctx_ == nullptr || code.empty()) return;
  ctx_->metrics()
      .counter("lpr_2n_errors_total",
               "Forwarded reads a 2N device did not accept, by 2N error code or failure",
               {{"plugin", ctx_->instanceId()}, {"code", code}})
      .inc();
}

std::string Sink2n::loadImage(const std::string& path) {
  std::string problem;
  std::string bytes;
  try {
    Poco::File file(path);
    if (!file.exists()) {
      problem = "missing";
    } else if (file.getSize() > kMaxImageFileBytes) {
      problem = "larger than " + std::to_string(kMaxImageFileBytes) + " bytes";
    } else {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) problem = "cannot be read";
      if (bytes.empty() && problem.empty()) problem = "empty";
    }
  } catch (const Poco::Exception& e) {
    problem = e.displayText();
  }
  if (problem.empty()) return bytes;
  imagesDropped_->inc();
  // Once per distinct problem: a broken spool would otherwise log every read.
  const std::string line = "snapshot " + path + " " + problem;
  if (problem != lastImageProblem_) {
    ctx_->logger().warning("%s; forwarding reads without their snapshot", line);
    lastImageProblem_ = problem;
  } else {
    ctx_->logger().debug("%s; forwarding the read without it", line);
  }
  return {};
}

std::variant<Sink2n::Prepared, LprRequestError> Sink2n::prepare(const PlateEvent& event) {
  if (cache_ && cache_->eventId == event.id) return *cache_;
  std::string jpeg;
  PreparedImage::Status status = PreparedImage::Status::None;
  if (!event.imagePath.empty() && settings_.maxImageChars > 0) {
    std::string bytes = loadImage(event.imagePath);
    if (bytes.empty()) {
      status = PreparedImage::Status::Unusable;
    } else {
      PreparedImage image = fitImage(bytes, settings_.maxImageChars);
      status = image.status;
      if (status == PreparedImage::Status::Unusable) {
        imagesDropped_->inc();
        ctx_->logger().warning(
            "snapshot of event %s cannot be sent: %s; forwarding the read "
            "without it",
            event.id, image.detail);
      } else if (status == PreparedImage::Status::Reencoded) {
        imagesReencoded_->inc();
        ctx_->logger().debug("snapshot of event %s re-encoded: %s", event.id, image.detail);
      }
      jpeg = std::move(image.jpeg);
    }
  }
  LprRequestOptions options;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    options.includeLprIdAndDir = includeLprIdAndDir_;
  }
  options.accessPointOverrides = settings_.accessPoints;
  auto result = toLprRequest(event, options, jpeg);
  if (auto* error = std::get_if<LprRequestError>(&result)) return *error;
  cache_ = Prepared{event.id, std::get<LprRequest>(std::move(result)), status};
  return *cache_;
}

Delivery Sink2n::deliver(const PlateEvent& event) {
  if (!event.updateOf.empty()) {
    // A refinement of a vehicle the device saw already: a second read would be decided (and
    // open the device's relay) again.
    ctx_->metrics()
        .counter("lpr_2n_not_forwarded_total", "Reads kept from the device, by reason",
                 {{"plugin", ctx_->instanceId()}, {"reason", "refinement"}})
        .inc();
    return Delivery::ok();
  }
  std::lock_guard<std::mutex> deliverLock(deliverMutex_);
  std::shared_ptr<TwoNClient> client = this->client();
  if (!client) return Delivery::retry("2N forwarding is not started", 1s);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (link_ == Link::Failed) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(heldUntil_ - SteadyClock::now());
      if (left.count() > 0) {
        // The device refused the setup: do not hammer it, keep the read for later.
        return Delivery::retry("held after a setup error: " + linkDetail_, left);
      }
    }
  }

  auto prepared = prepare(event);
  if (auto* error = std::get_if<LprRequestError>(&prepared)) {
    countError("invalid_event");
    return Delivery::reject(error->why);
  }
  Prepared& p = std::get<Prepared>(prepared);
  if (watch_) {
    watch_->sending(
        {event.id, p.request.plateText, p.request.accessPoint, std::chrono::steady_clock::now()});
  }
  TwoNReply reply = client->postJson(kLprPath, p.request.json);
  if (reply.answered()) latency_->observe(std::chrono::duration<double>(reply.elapsed).count());

  // The device refused the snapshot: the read matters more than its picture.
  if (reply.envelope && !reply.success && reply.error && p.request.imageChars > 0 &&
      (reply.error->code == 12 || reply.error->code == 13) && reply.error->param == "plateImage") {
    countError(std::to_string(reply.error->code));
    imagesDropped_->inc();
    ctx_->logger().warning(
        "2N device refused the snapshot of event %s (%s); forwarding the read "
        "without it",
        event.id, reply.summary());
    LprRequestOptions options;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      options.includeLprIdAndDir = includeLprIdAndDir_;
    }
    options.accessPointOverrides = settings_.accessPoints;
    auto bare = toLprRequest(event, options, {});
    if (auto* request = std::get_if<LprRequest>(&bare)) {
      p.request = *request;
      cache_ = p;
      reply = client->postJson(kLprPath, p.request.json);
      if (reply.answered()) {
        latency_->observe(std::chrono::duration<double>(reply.elapsed).count());
      }
    }
  }
  Delivery delivery = outcome(event, reply);
  if (watch_ && delivery.kind != Delivery::Kind::Ok) watch_->notTaken(event.id);
  return delivery;
}

Delivery Sink2n::outcome(const PlateEvent& event, const TwoNReply& reply) {
  const Verdict verdict = classify(reply);
  if (verdict.kind != Verdict::Kind::Ok) countError(verdict.code);
  // Any answer other than a setup refusal (or no answer) shows the setup is in order again.
  const bool setupWasFailing = setupFailing_;
  if (verdict.kind != Verdict::Kind::Setup && verdict.kind != Verdict::Kind::Retry) {
    setupFailing_ = false;
  }
  switch (verdict.kind) {
    case Verdict::Kind::Ok:
      noteAnswer(reply);
      unknownEventId_.clear();
      unknownAttempts_ = 0;
      cache_.reset();
      return Delivery::ok();
    case Verdict::Kind::Retry:
      noteAnswer(reply);
      return Delivery::retry(verdict.why);
    case Verdict::Kind::Reject:
      noteAnswer(reply);
      cache_.reset();
      return Delivery::reject(verdict.why);
    case Verdict::Kind::Setup: {
      std::chrono::milliseconds hold;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        hold = configErrorHold_;
        heldUntil_ = SteadyClock::now() + hold;
      }
      setLink(Link::Failed, verdict.why);
      // The read that met the error is rejected (the device refused it as configured); the
      // ones after it are held, so that fixing the setup loses nothing more. "After" lasts until
      // the device accepts something again, outages in between included.
      if (setupWasFailing) return Delivery::retry(verdict.why, hold);
      setupFailing_ = true;
      cache_.reset();
      return Delivery::reject(verdict.why);
    }
    case Verdict::Kind::Unknown:
      noteAnswer(reply);
      if (unknownEventId_ != event.id) {
        unknownEventId_ = event.id;
        unknownAttempts_ = 0;
      }
      if (++unknownAttempts_ >= kUnknownAttempts) {
        unknownEventId_.clear();
        unknownAttempts_ = 0;
        cache_.reset();
        return Delivery::reject(verdict.why + " (" + std::to_string(kUnknownAttempts) +
                                " attempts)");
      }
      return Delivery::retry(verdict.why);
  }
  return Delivery::retry(verdict.why);
}

const PluginDescriptor kDescriptor{
    "sink_2n", PluginKind::Sink,
    "Forward plate reads to a 2N intercom or access unit (POST /api/lpr/licenseplate)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<Sink2n>(); }};

}  // namespace lpr::plugins::sink_2n
