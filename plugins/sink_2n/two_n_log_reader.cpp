#include "two_n_log_reader.h"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace lpr::plugins::sink_2n {

namespace {

// 2N error 12 ("invalid parameter value") naming `id`: the channel no longer exists.
constexpr int kInvalidParameter = 12;
// Time allowed beyond the pull timeout before the client gives up on the answer.
constexpr std::chrono::seconds kPullMargin{5};
// stop()'s unsubscribe must not hold up a shutdown for the whole request timeout.
constexpr std::chrono::milliseconds kControlTimeout{2000};

std::string encode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "&=+?#,", out);
  return out;
}

std::int64_t integerOr(const Poco::JSON::Object::Ptr& object, const std::string& key,
                       std::int64_t fallback) {
  if (!object || !object->has(key)) return fallback;
  try {
    return object->get(key).convert<std::int64_t>();
  } catch (const Poco::Exception&) {
    return fallback;
  }
}

bool channelGone(const TwoNReply& reply) {
  return reply.answered() && reply.envelope && !reply.success && reply.error &&
         reply.error->code == kInvalidParameter &&
         (reply.error->param == "id" || reply.error->param.empty());
}

}  // namespace

TwoNLogReader::TwoNLogReader(TwoNLogReaderOptions options, Callback callback)
    : options_(std::move(options)),
      callback_(std::move(callback)),
      log_(options_.logger ? *options_.logger : Poco::Logger::get("lpr.2n.log_reader")) {
  options_.pullTimeout = std::max(options_.pullTimeout, std::chrono::seconds(1));
  options_.channelDuration =
      std::clamp(options_.channelDuration, std::chrono::seconds(1), std::chrono::seconds(3600));
  options_.backoffMin = std::max(options_.backoffMin, std::chrono::milliseconds(1));
  options_.backoffMax = std::max(options_.backoffMax, options_.backoffMin);

  // The long poll's client waits for the pull timeout plus the usual margin (§3: "set the HTTP
  // client timeout to timeout + margin").
  TwoNClientOptions poll = options_.client;
  poll.timeout = options_.client.timeout + options_.pullTimeout + kPullMargin;
  pollClient_ = std::make_unique<TwoNClient>(poll);
  // A second client, because the first one is busy (and locked) for a whole parked pull.
  TwoNClientOptions control = options_.client;
  control.timeout = std::min(options_.client.timeout, kControlTimeout);
  controlClient_ = std::make_unique<TwoNClient>(control);
  nextBackoff_ = options_.backoffMin;
}

TwoNLogReader::~TwoNLogReader() { stop(); }

void TwoNLogReader::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void TwoNLogReader::stop() noexcept {
  std::uint32_t channel = 0;
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    // The channel is taken from the thread: stop() unsubscribes it now, which also ends a pull
    // parked on it (on the simulator; on a real device the pull timeout bounds the wait).
    channel = std::exchange(channel_, 0);
  }
  wake_.notify_all();
  if (channel != 0) unsubscribe(*controlClient_, channel);
  thread_.join();
  running_ = false;
}

bool TwoNLogReader::waitFirstAnswer(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  progress_.wait_for(lock, timeout,
                     [&] { return stopping_ || stats_.subscriptions > 0 || stats_.failures > 0; });
  return stats_.subscriptions > 0;
}

TwoNLogReaderStats TwoNLogReader::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::uint32_t TwoNLogReader::channelId() const {
  std::lock_guard lock(mutex_);
  return channel_;
}

void TwoNLogReader::run() {
  bool first = true;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    if (channelId() == 0) {
      // Only the first channel starts at the present: the gateway has no use for the history
      // before it started. Later ones replay the buffer so that nothing logged while the channel
      // was gone is missed.
      if (!subscribe(!first)) {
        backoff();
        continue;
      }
      first = false;
    }
    if (!pullOnce()) {
      std::lock_guard lock(mutex_);
      channel_ = 0;
    }
  }
  // A channel subscribed while stop() was on its way: stop() could not see it.
  std::uint32_t leftover = 0;
  {
    std::lock_guard lock(mutex_);
    leftover = std::exchange(channel_, 0);
  }
  if (leftover != 0) unsubscribe(*pollClient_, leftover);
}

bool TwoNLogReader::subscribe(bool replayHistory) {
  const std::string path = "/api/log/subscribe?filter=" + encode(options_.filter) +
                           "&include=" + (replayHistory ? "all" : "new") +
                           "&duration=" + std::to_string(options_.channelDuration.count());
  TwoNReply reply = pollClient_->get(path);
  std::uint32_t id = 0;
  if (reply.ok() && reply.result) {
    id = static_cast<std::uint32_t>(integerOr(reply.result, "id", 0));
  }
  if (id == 0) {
    failed("subscribe", reply);
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    channel_ = id;
    ++stats_.subscriptions;
    stats_.connected = true;
  }
  progress_.notify_all();
  nextBackoff_ = options_.backoffMin;
  log_.information("2N event log subscribed url=%s channel=%u include=%s", pollClient_->baseUrl(),
                   static_cast<unsigned>(id), std::string(replayHistory ? "all" : "new"));
  return true;
}

bool TwoNLogReader::pullOnce() {
  const std::uint32_t id = channelId();
  if (id == 0) return false;
  TwoNReply reply = pollClient_->get("/api/log/pull?id=" + std::to_string(id) +
                                     "&timeout=" + std::to_string(options_.pullTimeout.count()));
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return true;  // stop() owns the channel now
  }
  if (channelGone(reply)) {
    log_.information(
        "2N event log channel %u is gone (device restarted or channel expired); "
        "subscribing again",
        static_cast<unsigned>(id));
    return false;
  }
  if (!reply.ok()) {
    // Unreachable or refusing: keep the channel; if the device restarted meanwhile, the next
    // pull says so (error 12) and the reader resubscribes then.
    failed("pull", reply);
    backoff();
    return true;
  }
  nextBackoff_ = options_.backoffMin;
  {
    std::lock_guard lock(mutex_);
    ++stats_.pulls;
    if (!stats_.connected) log_.information("2N event log reachable again");
    stats_.connected = true;
  }
  Poco::JSON::Array::Ptr events = reply.result ? reply.result->getArray("events") : nullptr;
  bool restarted = false;
  for (std::size_t i = 0; events && i < events->size(); ++i) {
    Poco::JSON::Object::Ptr item = events->getObject(i);
    if (!item || !item->has("event")) continue;
    TwoNLogEvent event;
    event.id = static_cast<std::uint32_t>(integerOr(item, "id", 0));
    event.utcTime = integerOr(item, "utcTime", 0);
    event.upTime = integerOr(item, "upTime", 0);
    event.event = item->get("event").toString();
    event.params = item->getObject("params");
    if (!event.params) event.params = new Poco::JSON::Object;
    // A replayed buffer repeats what was delivered before the resubscription.
    if (event.id <= lastId_ && event.utcTime <= lastUtc_) continue;
    lastId_ = event.id;
    lastUtc_ = event.utcTime;
    deliver(event);
    if (event.event == "DeviceState") restarted = true;
  }
  if (restarted) {
    // The device (re)started; a channel that survived it is not to be trusted (privileges and
    // filters may have been reset), so take a fresh one. The replay skips what was delivered.
    log_.information("2N device reported DeviceState; subscribing again");
    unsubscribe(*pollClient_, id);
    return false;
  }
  return true;
}

void TwoNLogReader::deliver(const TwoNLogEvent& event) {
  try {
    callback_(event);
  } catch (const std::exception& e) {
    // One bad event must not end the reader.
    log_.error("2N event log callback failed for event %u (%s): %s",
               static_cast<unsigned>(event.id), event.event, std::string(e.what()));
  }
  std::lock_guard lock(mutex_);
  ++stats_.delivered;
}

void TwoNLogReader::failed(const std::string& what, const TwoNReply& reply) {
  const std::string summary = reply.answered() ? reply.summary() : reply.detail;
  bool announce = false;
  {
    std::lock_guard lock(mutex_);
    announce = stats_.connected || stats_.failures == 0;
    stats_.connected = false;
    stats_.lastError = what + ": " + summary;
    ++stats_.failures;
  }
  progress_.notify_all();
  // Once per outage, not once per backoff step.
  if (announce) {
    log_.warning("2N event log %s failed url=%s: %s; retrying with backoff", what,
                 pollClient_->baseUrl(), summary);
  }
}

void TwoNLogReader::backoff() {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, nextBackoff_, [&] { return stopping_; });
  nextBackoff_ = std::min(nextBackoff_ * 2, options_.backoffMax);
}

void TwoNLogReader::unsubscribe(TwoNClient& client, std::uint32_t id) {
  try {
    TwoNReply reply = client.get("/api/log/unsubscribe?id=" + std::to_string(id));
    if (!reply.ok()) {
      log_.debug("2N event log unsubscribe of channel %u: %s", static_cast<unsigned>(id),
                 reply.answered() ? reply.summary() : reply.detail);
    }
  } catch (const std::exception& e) {
    // The channel expires on its own after channelDuration; nothing else to do.
    log_.debug("2N event log unsubscribe of channel %u failed: %s", static_cast<unsigned>(id),
               std::string(e.what()));
  }
}

}  // namespace lpr::plugins::sink_2n
