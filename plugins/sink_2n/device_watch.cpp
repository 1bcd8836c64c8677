#include "device_watch.h"

#include <Poco/Logger.h>

#include "bus/verdict_board.h"
#include "metrics/metrics.h"

namespace lpr::plugins::sink_2n {

namespace {

// How often the watch thread looks at the log channel's state (availability) and at the
// correlator's expired reads, when nothing else wakes it.
constexpr auto kTick = std::chrono::seconds(1);
constexpr auto kSyncRetry = std::chrono::seconds(10);

}  // namespace

DeviceWatch::DeviceWatch(DeviceWatchOptions options, PluginContext& ctx)
    : options_(std::move(options)),
      ctx_(ctx),
      verdictLatency_(ctx.metrics().histogram(
          "lpr_2n_verdict_latency_seconds",
          "From forwarding a read to a 2N device to reading its verdict from the device log",
          {{"plugin", ctx.instanceId()}}, Metrics::latencyBoundsSeconds())),
      correlator_(options_.verdictWindow) {
  if (options_.mirror) {
    DirectoryMirrorOptions mirror;
    mirror.client = options_.client;
    mirror.databasePath = options_.mirrorPath;
    mirror.logger = &ctx.logger();
    mirror_ = std::make_unique<DirectoryMirror>(std::move(mirror));
    const Labels labels{{"plugin", ctx.instanceId()}};
    ctx.metrics().gauge("lpr_2n_mirror_age_seconds",
                        "Time since the directory mirror was last confirmed equal to the device",
                        labels, [this] {
                          auto fresh = mirror_->lastConfirmedFresh();
                          if (!fresh) return -1.0;
                          return std::chrono::duration<double>(Clock::now() - *fresh).count();
                        });
  }
  if (options_.verdicts) {
    TwoNLogReaderOptions reader;
    reader.client = options_.client;
    reader.logger = &ctx.logger();
    reader_ = std::make_unique<TwoNLogReader>(
        std::move(reader), [this](const TwoNLogEvent& record) { onRecord(record); });
  }
}

DeviceWatch::~DeviceWatch() { stop(); }

void DeviceWatch::start(std::function<void(bool)> availability) {
  availability_ = std::move(availability);
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    syncWanted_ = true;
    lastAvailable_ = true;
  }
  if (reader_) {
    reader_->start();
    // Reads forwarded before the channel exists would have their records missed (a first
    // subscription asks for new records only), so the sink starts forwarding after it.
    reader_->waitFirstAnswer(options_.client.timeout + std::chrono::seconds(1));
  }
  thread_ = std::thread([this] { syncLoop(); });
}

void DeviceWatch::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (reader_) reader_->stop();
}

void DeviceWatch::sending(ForwardedRead read) {
  if (!reader_) return;
  std::lock_guard lock(correlatorMutex_);
  correlator_.sent(std::move(read));
}

void DeviceWatch::notTaken(const std::string& eventId) {
  if (!reader_) return;
  std::lock_guard lock(correlatorMutex_);
  correlator_.unsent(eventId);
}

std::optional<DirectorySyncResult> DeviceWatch::lastSync() const {
  std::lock_guard lock(mutex_);
  return lastSync_;
}

std::uint64_t DeviceWatch::syncs() const {
  std::lock_guard lock(mutex_);
  return syncs_;
}

bool DeviceWatch::logConnected() const { return reader_ && reader_->stats().connected; }

void DeviceWatch::requestSync() {
  {
    std::lock_guard lock(mutex_);
    syncWanted_ = true;
  }
  wake_.notify_all();
}

void DeviceWatch::onRecord(const TwoNLogEvent& record) {
  if (record.event == "DirectoryChanged" ||
      (record.event == "DeviceState" &&
       record.params->optValue<std::string>("state", "") == "startup")) {
    if (mirror_) requestSync();
    return;
  }
  if (record.event != "LicensePlateRecognized") return;
  std::optional<CorrelatedVerdict> verdict;
  {
    std::lock_guard lock(correlatorMutex_);
    verdict = correlator_.recognized(record, std::chrono::steady_clock::now(), Clock::now());
  }
  const std::string plate =
      ctx_.maskPlate(record.params->optValue<std::string>("licensePlate", ""));
  if (!verdict) {
    ctx_.logger().debug("LicensePlateRecognized plate=%s matches no read forwarded by us", plate);
    return;
  }
  Decision& d = verdict->decision;
  if (d.uuid && mirror_) d.userName = mirror_->userName(*d.uuid);
  verdictLatency_.observe(std::chrono::duration<double>(verdict->latency).count());
  ctx_.logger().information(
      "verdict event=%s plate=%s valid=%s uuid=%s session=%s after %Ld ms", verdict->eventId, plate,
      std::string(d.valid ? "true" : "false"), d.uuid.value_or("-"), d.session.value_or("-"),
      static_cast<Poco::Int64>(
          std::chrono::duration_cast<std::chrono::milliseconds>(verdict->latency).count()));
  ctx_.verdicts().offerVerdict(verdict->eventId, d);
}

void DeviceWatch::syncLoop() {
  auto nextTimedSync = std::chrono::steady_clock::now();
  while (true) {
    bool sync = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kTick, [this] { return stopping_ || syncWanted_; });
      if (stopping_) return;
      auto now = std::chrono::steady_clock::now();
      if (mirror_ && (syncWanted_ || now >= nextTimedSync)) {
        sync = true;
        syncWanted_ = false;
        nextTimedSync = now + options_.syncInterval;
      }
    }
    {
      std::lock_guard lock(correlatorMutex_);
      correlator_.expire(std::chrono::steady_clock::now());
    }
    // Until the first request has failed, the channel counts as coming.
    const TwoNLogReaderStats stats = reader_ ? reader_->stats() : TwoNLogReaderStats{};
    const bool available = !reader_ || stats.connected || stats.failures == 0;
    bool changed = false;
    {
      std::lock_guard lock(mutex_);
      changed = available != lastAvailable_;
      lastAvailable_ = available;
      // A new channel means the old one died: the device restarted (maybe with a new directory
      // series), or records were missed while it was away. Its DeviceState record may not be
      // replayed to us, so a new channel alone is reason enough to sync.
      if (stats.subscriptions > subscriptionsSeen_) {
        if (subscriptionsSeen_ > 0 && mirror_) sync = true;
        subscriptionsSeen_ = stats.subscriptions;
      }
    }
    if (changed && availability_) availability_(available);
    if (!sync) continue;
    DirectorySyncResult result = mirror_->syncNow();
    if (result.kind == DirectorySyncResult::Kind::Failed) {
      ctx_.logger().warning("directory mirror sync failed, retried within %Ld s: %s",
                            static_cast<Poco::Int64>(kSyncRetry.count()), result.error);
      std::lock_guard lock(mutex_);
      nextTimedSync = std::min(nextTimedSync, std::chrono::steady_clock::now() + kSyncRetry);
    } else if (result.changed || result.removed || result.kind == DirectorySyncResult::Kind::Full) {
      ctx_.logger().information("directory mirror %s sync: %z changed, %z removed, %z users",
                                toString(result.kind), result.changed, result.removed,
                                result.users);
    }
    std::lock_guard lock(mutex_);
    lastSync_ = result;
    ++syncs_;
  }
}

}  // namespace lpr::plugins::sink_2n
