#include "storage/event_store.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>

#include "metrics/metrics.h"

using namespace Poco::Data::Keywords;

namespace lpr {

namespace {

std::int64_t toMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Poco::Logger& log() { return Poco::Logger::get("lpr.storage"); }

constexpr auto kCursorFlush = std::chrono::milliseconds(200);

}  // namespace

struct EventStore::Job {
  enum class Kind { Append, Prune, Barrier } kind = Kind::Append;
  const PlateEvent* event = nullptr;
  std::promise<AppendResult> appended;
  std::promise<std::size_t> pruned;
  std::promise<void> passed;  // Barrier: the writer reached it
};

EventStore::EventStore(StoreOptions options, Metrics& metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      dropped_(metrics.counter("lpr_store_dropped_total",
                               "Events removed by retention before every sink delivered them",
                               {{"stream", options_.stream}})) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Path dir = Poco::Path(options_.path).parent();
  if (!dir.toString().empty()) Poco::File(dir).createDirectories();
  writer_ = openSession();
  Poco::Data::Session& s = *writer_;
  s << "PRAGMA journal_mode=WAL", now;
  s << "CREATE TABLE IF NOT EXISTS events ("
       " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
       " id TEXT NOT NULL UNIQUE,"
       " source TEXT NOT NULL,"
       " source_event_id TEXT,"
       " received_ms INTEGER NOT NULL,"
       " image_path TEXT,"
       " body TEXT NOT NULL,"
       " UNIQUE(source, source_event_id))",
      now;
  s << "CREATE INDEX IF NOT EXISTS events_received ON events(received_ms)", now;
  s << "CREATE TABLE IF NOT EXISTS cursors (sink TEXT PRIMARY KEY, seq INTEGER NOT NULL)", now;
  s << "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", now;
  s << "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1')", now;

  Poco::Nullable<Poco::Int64> maxSeq;
  s << "SELECT MAX(seq) FROM events", into(maxSeq), now;
  // AUTOINCREMENT never reuses a sequence, even after every row was pruned.
  Poco::Nullable<Poco::Int64> lastSeq;
  s << "SELECT seq FROM sqlite_sequence WHERE name='events'", into(lastSeq), now;
  head_ = std::max(maxSeq.isNull() ? 0 : maxSeq.value(), lastSeq.isNull() ? 0 : lastSeq.value());

  std::vector<std::string> sinks;
  std::vector<Poco::Int64> seqs;
  s << "SELECT sink, seq FROM cursors", into(sinks), into(seqs), now;
  for (std::size_t i = 0; i < sinks.size(); ++i) cursors_[sinks[i]] = seqs[i];

  metrics_.gauge("lpr_store_head_seq", "Sequence number of the newest committed event",
                 {{"stream", options_.stream}}, [this] { return static_cast<double>(head()); });
  // Retention first: after a long downtime the store may be over its bounds.
  prune(*writer_);
  writer_thread_ = std::thread([this] { writerLoop(); });
}

EventStore::~EventStore() { close(); }

std::unique_ptr<Poco::Data::Session> EventStore::openSession() const {
  auto session = std::make_unique<Poco::Data::Session>("SQLite", options_.path);
  *session << "PRAGMA busy_timeout=10000", now;
  *session << (options_.synchronousFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"),
      now;
  return session;
}

EventStore::AppendResult EventStore::append(const PlateEvent& event) {
  auto job = std::make_shared<Job>();
  job->event = &event;
  auto future = job->appended.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closing_) return {AppendResult::Status::Failed, 0, {}, "store is closed"};
    jobs_.push_back(job);
  }
  wake_.notify_one();
  return future.get();
}

std::vector<EventStore::AppendResult> EventStore::appendMany(
    const std::vector<PlateEvent>& events) {
  std::vector<std::future<AppendResult>> futures;
  futures.reserve(events.size());
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      return std::vector<AppendResult>(
          events.size(), AppendResult{AppendResult::Status::Failed, 0, {}, "store is closed"});
    }
    for (const auto& event : events) {
      auto job = std::make_shared<Job>();
      job->event = &event;
      futures.push_back(job->appended.get_future());
      jobs_.push_back(std::move(job));
    }
  }
  wake_.notify_one();
  std::vector<AppendResult> results;
  results.reserve(events.size());
  for (auto& f : futures) results.push_back(f.get());
  return results;
}

void EventStore::setCommitListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  commitListener_ = std::move(listener);
}

std::int64_t EventStore::head() const {
  std::lock_guard lock(mutex_);
  return head_;
}

bool EventStore::waitBeyond(std::int64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  advanced_.wait_for(lock, timeout, [&] { return head_ > after || closed_; });
  return head_ > after;
}

std::int64_t EventStore::openCursor(const std::string& sink) {
  std::lock_guard lock(mutex_);
  auto it = cursors_.find(sink);
  if (it != cursors_.end()) return it->second;
  // A sink added to a running installation starts at the present, not with the history.
  cursors_[sink] = head_;
  if (dirtyCursors_.empty()) cursorArmed_ = true;
  dirtyCursors_[sink] = head_;
  wake_.notify_one();
  return head_;
}

void EventStore::advanceCursor(const std::string& sink, std::int64_t seq) {
  {
    std::lock_guard lock(mutex_);
    auto& current = cursors_[sink];
    if (seq <= current) return;
    current = seq;
    if (dirtyCursors_.empty()) cursorArmed_ = true;
    dirtyCursors_[sink] = seq;
    if (!cursorArmed_) return;
  }
  wake_.notify_one();
}

std::int64_t EventStore::cursor(const std::string& sink) const {
  std::lock_guard lock(mutex_);
  auto it = cursors_.find(sink);
  return it == cursors_.end() ? 0 : it->second;
}

Poco::Data::Session& EventStore::readerSession() {
  std::lock_guard lock(readersMutex_);
  auto& slot = readers_[std::this_thread::get_id()];
  if (!slot) slot = openSession();
  return *slot;
}

std::vector<PlateEvent> EventStore::readAfter(std::int64_t after, std::size_t limit,
                                              std::int64_t* lastSeq) {
  std::vector<Poco::Int64> seqs;
  std::vector<std::string> bodies;
  Poco::Int64 from = after;
  Poco::Int64 count = static_cast<Poco::Int64>(limit);
  Poco::Data::Session& s = readerSession();
  s << "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", into(seqs), into(bodies),
      use(from), use(count), now;
  std::vector<PlateEvent> out;
  out.reserve(seqs.size());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    try {
      PlateEvent e = plateEventFromJson(bodies[i]);
      e.seq = seqs[i];
      out.push_back(std::move(e));
    } catch (const Poco::Exception& e) {
      // A row we cannot read cannot be delivered either; keep the order moving and say so.
      log().error("event seq=%Ld unreadable, skipped: %s", static_cast<Poco::Int64>(seqs[i]),
                  e.displayText());
      metrics_.counter("lpr_errors_total", "Errors by kind", {{"kind", "store_unreadable"}}).inc();
    }
  }
  if (lastSeq) *lastSeq = seqs.empty() ? after : seqs.back();
  return out;
}

std::vector<PlateEvent> EventStore::query(const EventQuery& q) {
  // Values are bound by reference: they live here until the statement has run.
  std::string id = q.id.value_or(""), plate = q.plate.value_or(""), source = q.source.value_or("");
  Poco::Int64 accessPoint = q.accessPoint.value_or(0);
  Poco::Int64 from = q.from ? toMillis(*q.from) : 0, to = q.to ? toMillis(*q.to) : 0;
  Poco::Int64 valid = q.valid.value_or(false) ? 1 : 0;
  Poco::Int64 before = q.beforeSeq, limit = static_cast<Poco::Int64>(q.limit);
  std::vector<Poco::Int64> seqs;
  std::vector<std::string> bodies;
  Poco::Data::Session& s = readerSession();
  Poco::Data::Statement statement(s);
  statement << "SELECT seq, body FROM events WHERE 1 = 1";
  if (q.id) statement << " AND id = ?", use(id);
  if (q.plate) statement << " AND json_extract(body, '$.plate') = ?", use(plate);
  if (q.source) statement << " AND source = ?", use(source);
  if (q.accessPoint) statement << " AND json_extract(body, '$.access_point') = ?", use(accessPoint);
  if (q.from) statement << " AND received_ms >= ?", use(from);
  if (q.to) statement << " AND received_ms < ?", use(to);
  if (q.valid) statement << " AND json_extract(body, '$.decision.valid') = ?", use(valid);
  if (q.beforeSeq > 0) statement << " AND seq < ?", use(before);
  statement << " ORDER BY seq DESC LIMIT ?", use(limit), into(seqs), into(bodies);
  statement.execute();
  std::vector<PlateEvent> out;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    try {
      PlateEvent e = plateEventFromJson(bodies[i]);
      e.seq = seqs[i];
      out.push_back(std::move(e));
    } catch (const Poco::Exception&) {
      // Counted and logged when the sinks meet it; a query just leaves it out.
    }
  }
  return out;
}

std::size_t EventStore::pruneNow() {
  auto job = std::make_shared<Job>();
  job->kind = Job::Kind::Prune;
  auto future = job->pruned.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closing_) return 0;
    jobs_.push_back(job);
  }
  wake_.notify_one();
  return future.get();
}

bool EventStore::probe(std::chrono::milliseconds timeout) {
  auto job = std::make_shared<Job>();
  job->kind = Job::Kind::Barrier;
  auto future = job->passed.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closing_) return false;
    jobs_.push_back(job);
  }
  wake_.notify_one();
  return future.wait_for(timeout) == std::future_status::ready;
}

void EventStore::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      if (!writer_thread_.joinable()) return;
    }
    closing_ = true;
  }
  wake_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  advanced_.notify_all();
  std::lock_guard lock(readersMutex_);
  readers_.clear();
}

void EventStore::writerLoop() {
  auto nextPrune = std::chrono::steady_clock::now() + options_.pruneInterval;
  auto cursorDue = std::chrono::steady_clock::time_point::max();
  while (true) {
    std::vector<std::shared_ptr<Job>> batch;
    std::map<std::string, std::int64_t> cursors;
    bool timedPrune = false;
    {
      std::unique_lock lock(mutex_);
      while (!closing_ && jobs_.empty()) {
        if (cursorArmed_) {
          // Cursor moves are written with the next commit, or after kCursorFlush at the latest:
          // one fsync per delivered batch would compete with the appends for the disk.
          cursorArmed_ = false;
          cursorDue = std::min(cursorDue, std::chrono::steady_clock::now() + kCursorFlush);
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= nextPrune || (!dirtyCursors_.empty() && now >= cursorDue)) break;
        wake_.wait_until(lock, std::min(nextPrune, cursorDue));
      }
      while (!jobs_.empty() && batch.size() < options_.maxBatch) {
        batch.push_back(std::move(jobs_.front()));
        jobs_.pop_front();
      }
      auto now = std::chrono::steady_clock::now();
      if (!batch.empty() || closing_ || now >= cursorDue) {
        cursors.swap(dirtyCursors_);
        cursorDue = std::chrono::steady_clock::time_point::max();
        cursorArmed_ = false;
      }
      if (batch.empty() && cursors.empty() && closing_) break;
      if (now >= nextPrune) {
        timedPrune = true;
        nextPrune = now + options_.pruneInterval;
      }
    }
    commitBatch(batch, cursors);
    if (timedPrune) {
      try {
        prune(*writer_);
      } catch (const Poco::Exception& e) {
        log().error("retention failed: %s", e.displayText());
      }
    }
  }
}

void EventStore::writeCursors(Poco::Data::Session& s,
                              const std::map<std::string, std::int64_t>& cursors) {
  for (const auto& [sink, seq] : cursors) {
    std::string name = sink;
    Poco::Int64 value = seq;
    s << "INSERT INTO cursors(sink, seq) VALUES(?, ?) "
         "ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq",
        use(name), use(value), now;
  }
}

void EventStore::commitBatch(std::vector<std::shared_ptr<Job>>& batch,
                             const std::map<std::string, std::int64_t>& cursors) {
  if (batch.empty() && cursors.empty()) return;
  Poco::Data::Session& s = *writer_;
  std::vector<AppendResult> results(batch.size());
  std::int64_t newHead = 0;
  try {
    s.begin();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Job& job = *batch[i];
      if (job.kind != Job::Kind::Append) continue;
      const PlateEvent& e = *job.event;
      std::string id = e.id, source = e.sourceId, body = toJson(e);
      Poco::Nullable<std::string> sourceEventId;
      if (!e.sourceEventId.empty()) sourceEventId = e.sourceEventId;
      Poco::Nullable<std::string> image;
      if (!e.imagePath.empty()) image = e.imagePath;
      Poco::Int64 received = toMillis(e.receivedAt);
      // Look first rather than INSERT OR IGNORE: an ignored insert still uses up a sequence.
      {
        Poco::Nullable<Poco::Int64> seq;
        s << "SELECT seq FROM events WHERE id = ?", into(seq), use(id), now;
        if (!seq.isNull()) {
          results[i] = {AppendResult::Status::Duplicate, seq.value(), e.id, {}};
          continue;
        }
      }
      if (!e.sourceEventId.empty()) {
        Poco::Nullable<Poco::Int64> seq;
        Poco::Nullable<std::string> existing;
        std::string sid = e.sourceEventId;
        s << "SELECT seq, id FROM events WHERE source = ? AND source_event_id = ?", into(seq),
            into(existing), use(source), use(sid), now;
        if (!seq.isNull()) {
          results[i] = {AppendResult::Status::Duplicate, seq.value(), existing.value(), {}};
          continue;
        }
      }
      s << "INSERT INTO events(id, source, source_event_id, received_ms, image_path, body) "
           "VALUES(?, ?, ?, ?, ?, ?)",
          use(id), use(source), use(sourceEventId), use(received), use(image), use(body), now;
      Poco::Int64 seq = 0;
      s << "SELECT last_insert_rowid()", into(seq), now;
      results[i] = {AppendResult::Status::Stored, seq, e.id, {}};
      newHead = std::max<std::int64_t>(newHead, seq);
    }
    writeCursors(s, cursors);
    s.commit();
  } catch (const Poco::Exception& ex) {
    try {
      if (s.isTransaction()) s.rollback();
    } catch (...) {
    }
    log().error("commit of %z events failed: %s", batch.size(), ex.displayText());
    for (auto& r : results) r = {AppendResult::Status::Failed, 0, {}, ex.displayText()};
    newHead = 0;
    std::lock_guard lock(mutex_);
    for (const auto& [sink, seq] : cursors) dirtyCursors_.try_emplace(sink, seq);
  }
  std::function<void()> listener;
  if (newHead) {
    std::lock_guard lock(mutex_);
    head_ = std::max(head_, newHead);
    listener = commitListener_;
  }
  advanced_.notify_all();
  if (listener) listener();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Job& job = *batch[i];
    if (job.kind == Job::Kind::Append) {
      job.appended.set_value(results[i]);
    } else if (job.kind == Job::Kind::Prune) {
      std::size_t removed = 0;
      try {
        removed = prune(s);
      } catch (const Poco::Exception& e) {
        log().error("retention failed: %s", e.displayText());
      }
      job.pruned.set_value(removed);
    } else if (job.kind == Job::Kind::Barrier) {
      job.passed.set_value();
    }
  }
}

std::size_t EventStore::prune(Poco::Data::Session& s) {
  Poco::Int64 cutoff =
      toMillis(Clock::now()) -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.maxAge).count();
  Poco::Int64 total = 0;
  s << "SELECT COUNT(*) FROM events", into(total), now;
  Poco::Int64 excess = std::max<Poco::Int64>(0, total - options_.maxEvents);
  // Everything up to `upto` goes: old by age, or the oldest beyond the size bound.
  Poco::Nullable<Poco::Int64> byAge, bySize;
  s << "SELECT MAX(seq) FROM events WHERE received_ms < ?", into(byAge), use(cutoff), now;
  if (excess > 0) {
    Poco::Int64 offset = excess - 1;
    s << "SELECT seq FROM events ORDER BY seq LIMIT 1 OFFSET ?", into(bySize), use(offset), now;
  }
  Poco::Int64 upto =
      std::max(byAge.isNull() ? 0 : byAge.value(), bySize.isNull() ? 0 : bySize.value());
  if (upto == 0) return 0;

  std::map<std::string, std::int64_t> cursors;
  {
    std::lock_guard lock(mutex_);
    cursors = cursors_;
  }
  std::uint64_t undelivered = 0;
  for (const auto& [sink, seq] : cursors) {
    if (seq >= upto) continue;
    Poco::Int64 from = seq, count = 0;
    s << "SELECT COUNT(*) FROM events WHERE seq > ? AND seq <= ?", into(count), use(from),
        use(upto), now;
    if (count > 0) {
      metrics_
          .counter("lpr_store_dropped_undelivered_total",
                   "Events removed by retention before this sink delivered them",
                   {{"stream", options_.stream}, {"sink", sink}})
          .inc(static_cast<std::uint64_t>(count));
      undelivered += static_cast<std::uint64_t>(count);
      log().warning("retention removed %Ld events that sink %s had not delivered",
                    static_cast<Poco::Int64>(count), sink);
    }
  }
  std::vector<std::string> images;
  s << "SELECT image_path FROM events WHERE seq <= ? AND image_path IS NOT NULL", into(images),
      use(upto), now;
  Poco::Int64 removed = 0;
  s << "SELECT COUNT(*) FROM events WHERE seq <= ?", into(removed), use(upto), now;
  s << "DELETE FROM events WHERE seq <= ?", use(upto), now;
  {
    std::lock_guard lock(mutex_);
    for (auto& [sink, seq] : cursors_) {
      if (seq < upto) {
        seq = upto;
        dirtyCursors_[sink] = upto;
        cursorArmed_ = true;
      }
    }
  }
  if (!options_.ownsImages) images.clear();
  for (const auto& path : images) {
    try {
      Poco::File(path).remove();
    } catch (const Poco::Exception&) {
      // Already gone: retention ran before, or an operator cleaned the spool.
    }
  }
  if (undelivered) dropped_.inc(undelivered);
  metrics_
      .counter("lpr_store_pruned_total", "Events removed by retention (age or size)",
               {{"stream", options_.stream}})
      .inc(static_cast<std::uint64_t>(removed));
  return static_cast<std::size_t>(removed);
}

}  // namespace lpr
