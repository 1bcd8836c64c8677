#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/plate_event.h"

namespace Poco::Data {
class Session;
}

namespace lpr {

class Metrics;
class Counter;

struct StoreOptions {
  std::string path;              // SQLite file (WAL mode)
  std::string stream = "reads";  // metric label: "reads" (sources) or "decisions" (decided events)
  bool ownsImages = true;        // retention deletes the snapshot files of what it removes
  bool synchronousFull = true;   // fsync every commit (power-loss safe) or per checkpoint
  std::chrono::seconds maxAge{7 * 24 * 3600};
  std::int64_t maxEvents = 1000000;
  std::chrono::seconds pruneInterval{60};
  std::size_t maxBatch = 256;  // events per group commit
};

// A filtered look at stored events, newest first (the access log).
struct EventQuery {
  std::optional<std::string> id;
  std::optional<std::string> plate;   // normalized plate, exact
  std::optional<std::string> source;  // source instance id (the gate's camera)
  std::optional<int> accessPoint;
  std::optional<TimePoint> from;  // received at or after
  std::optional<TimePoint> to;    // received before
  std::optional<bool> valid;      // the decision's answer; undecided events match neither
  std::int64_t beforeSeq = 0;     // paging: only events older than this sequence (0: newest)
  std::size_t limit = 100;
};

// The durable outbox. Every accepted event is committed here before its source answers; each
// sink reads events in order after its own cursor and moves the cursor only after a confirmed
// delivery. One writer thread owns all writes: appends arriving together share one commit
// (group commit), so durability costs one fsync per batch, not per event.
class EventStore {
 public:
  EventStore(StoreOptions options, Metrics& metrics);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  struct AppendResult {
    enum class Status { Stored, Duplicate, Failed };
    Status status = Status::Failed;
    std::int64_t seq = 0;
    std::string id;  // the stored event's id (the earlier one for a duplicate)
    std::string error;
  };
  // Blocks until the event is committed (or known not to be). Duplicates are detected on
  // (sourceId, sourceEventId) when sourceEventId is not empty.
  // An event whose id is already stored is a duplicate too.
  AppendResult append(const PlateEvent& event);
  // Appends several events in one commit (when they fit in one batch); results in their order.
  std::vector<AppendResult> appendMany(const std::vector<PlateEvent>& events);
  // Called on the writer thread after every commit that moved the head; keep it quick.
  void setCommitListener(std::function<void()> listener);

  // Last committed sequence number.
  std::int64_t head() const;
  // Waits until head() > after, the timeout passes, or the store closes. True when beyond.
  bool waitBeyond(std::int64_t after, std::chrono::milliseconds timeout);

  // Creates the cursor at the current head when the sink is new; returns its position.
  std::int64_t openCursor(const std::string& sink);
  // Persisted by the writer with the next commit, or within 200 ms; a crash before that
  // re-delivers those events (at least once).
  void advanceCursor(const std::string& sink, std::int64_t seq);
  std::int64_t cursor(const std::string& sink) const;

  // Events with seq > after, oldest first, at most `limit` rows. Safe from any thread (own
  // connection per thread). A row that no longer parses is logged, counted and left out;
  // `lastSeq` (when given) receives the highest sequence read, so callers can move past it.
  std::vector<PlateEvent> readAfter(std::int64_t after, std::size_t limit,
                                    std::int64_t* lastSeq = nullptr);

  // Events matching the query, newest first. Safe from any thread.
  std::vector<PlateEvent> query(const EventQuery& query);

  // Runs retention now (also runs on a timer); returns the number of events removed.
  std::size_t pruneNow();

  // True when the writer thread takes a job from its queue within `timeout`: the liveness the
  // service watchdog reports, since every accepted event needs this thread. False when closed.
  bool probe(std::chrono::milliseconds timeout);

  // Drains pending writes and stops the writer; further appends fail.
  void close();

 private:
  struct Job;
  void writerLoop();
  void commitBatch(std::vector<std::shared_ptr<Job>>& batch,
                   const std::map<std::string, std::int64_t>& cursors);
  void writeCursors(Poco::Data::Session& session,
                    const std::map<std::string, std::int64_t>& cursors);
  std::size_t prune(Poco::Data::Session& session);
  Poco::Data::Session& readerSession();
  std::unique_ptr<Poco::Data::Session> openSession() const;

  StoreOptions options_;
  Metrics& metrics_;
  Counter& dropped_;
  std::unique_ptr<Poco::Data::Session> writer_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // writer waits for jobs
  std::condition_variable advanced_;  // readers wait for a new head
  std::deque<std::shared_ptr<Job>> jobs_;
  std::map<std::string, std::int64_t> cursors_;       // in memory, authoritative
  std::map<std::string, std::int64_t> dirtyCursors_;  // to persist
  std::int64_t head_ = 0;
  bool closing_ = false;
  bool closed_ = false;
  bool cursorArmed_ = false;  // a cursor became dirty: the writer sets its flush deadline
  std::function<void()> commitListener_;
  std::thread writer_thread_;

  std::mutex readersMutex_;
  std::map<std::thread::id, std::unique_ptr<Poco::Data::Session>> readers_;
};

}  // namespace lpr
