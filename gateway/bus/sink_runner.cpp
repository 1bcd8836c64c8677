#include "bus/sink_runner.h"

#include <Poco/Logger.h>

#include <algorithm>

#include "metrics/metrics.h"
#include "plugin/plugin.h"
#include "storage/event_store.h"

namespace lpr {

namespace {
constexpr auto kMinBackoff = std::chrono::milliseconds(200);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
constexpr std::size_t kMaxBatch = 512;
}  // namespace

SinkRunner::SinkRunner(std::string id, Sink& sink, EventStore& store, Metrics& metrics,
                       Poco::Logger& log)
    : id_(std::move(id)),
      sink_(sink),
      store_(store),
      log_(log),
      delivered_(metrics.counter("lpr_events_out_total", "Events delivered (confirmed), by sink",
                                 {{"plugin", id_}})),
      rejected_(metrics.counter("lpr_events_rejected_total",
                                "Events a sink refused for good (not retried)", {{"plugin", id_}})),
      retries_(metrics.counter("lpr_delivery_retries_total", "Delivery attempts to retry",
                               {{"plugin", id_}})),
      latency_(metrics.histogram("lpr_delivery_latency_seconds",
                                 "From receipt of a read to its confirmed delivery",
                                 {{"plugin", id_}}, Metrics::latencyBoundsSeconds())) {
  metrics.gauge("lpr_queue_depth", "Events stored and not yet delivered, by sink",
                {{"plugin", id_}}, [this] { return static_cast<double>(pending()); });
}

SinkRunner::~SinkRunner() { stop(); }

void SinkRunner::start() {
  cursor_ = store_.openCursor(id_);
  thread_ = std::thread([this] { loop(); });
}

void SinkRunner::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopSignal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::int64_t SinkRunner::pending() const {
  return std::max<std::int64_t>(0, store_.head() - cursor_.load());
}

void SinkRunner::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  stopSignal_.wait_for(lock, duration, [&] { return stopping_; });
}

void SinkRunner::loop() {
  auto backoff = kMinBackoff;
  const std::size_t batchSize = std::clamp<std::size_t>(sink_.maxBatch(), 1, kMaxBatch);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!store_.waitBeyond(cursor_, std::chrono::milliseconds(250))) continue;
    std::vector<PlateEvent> events;
    std::int64_t lastRead = cursor_;
    try {
      events = store_.readAfter(cursor_, batchSize, &lastRead);
    } catch (const std::exception& e) {
      log_.error("reading the store failed: %s", std::string(e.what()));
      pause(backoff);
      continue;
    }
    std::vector<PlateEvent> toSend;
    for (auto& e : events) {
      if (!doneAhead_.count(e.seq)) toSend.push_back(e);
    }
    std::vector<Delivery> outcomes;
    if (!toSend.empty()) {
      try {
        outcomes = sink_.deliverBatch(toSend);
      } catch (const std::exception& e) {
        log_.error("sink threw (treated as retry): %s", std::string(e.what()));
        outcomes.assign(1, Delivery::retry(e.what()));
      }
    }
    // Walk the read window in order; the cursor moves over the finished prefix only.
    std::size_t sent = 0;
    bool blocked = false;
    std::int64_t newCursor = cursor_;
    std::chrono::milliseconds retryAfter{0};
    std::string retryWhy;
    for (auto& e : events) {
      bool finished = doneAhead_.erase(e.seq) > 0;
      if (!finished) {
        if (sent >= outcomes.size()) {
          blocked = true;  // not attempted in this round
        } else {
          const Delivery& d = outcomes[sent++];
          if (d.kind == Delivery::Kind::Ok) {
            delivered_.inc();
            latency_.observe(std::chrono::duration<double>(Clock::now() - e.receivedAt).count());
            finished = true;
          } else if (d.kind == Delivery::Kind::Reject) {
            rejected_.inc();
            log_.error("event %s rejected for good: %s", e.id, d.why);
            finished = true;
          } else if (!blocked) {
            blocked = true;
            retryAfter = d.after;
            retryWhy = d.why;
          }
        }
      }
      if (!finished) {
        blocked = true;
        continue;
      }
      if (blocked) {
        doneAhead_.insert(e.seq);
      } else {
        newCursor = e.seq;
      }
    }
    // Rows the store could not parse (skipped, counted there) are passed like finished ones.
    if (!blocked) newCursor = std::max(newCursor, lastRead);
    if (newCursor > cursor_) {
      cursor_ = newCursor;
      store_.advanceCursor(id_, newCursor);
    }
    if (blocked) {
      retries_.inc();
      if (!retrying_) {
        log_.warning("delivery failing, will retry with backoff: %s", retryWhy);
        retrying_ = true;
      }
      pause(std::max(retryAfter, backoff));
      backoff = std::min(backoff * 2, kMaxBackoff);
    } else {
      if (retrying_) {
        log_.information("delivery recovered");
        retrying_ = false;
      }
      backoff = kMinBackoff;
    }
  }
}

}  // namespace lpr
