#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace Poco {
class Logger;
}

namespace lpr {

class EventStore;
class Metrics;
class Sink;
class Counter;
class Histogram;

// One worker per sink: reads events after the sink's cursor, in order, hands them to the sink,
// and moves the cursor over the confirmed (or rejected) prefix. Retries back off exponentially.
// A slow sink only delays itself.
class SinkRunner {
 public:
  SinkRunner(std::string id, Sink& sink, EventStore& store, Metrics& metrics, Poco::Logger& log);
  ~SinkRunner();

  void start();
  void stop() noexcept;
  std::int64_t pending() const;

 private:
  void loop();
  void pause(std::chrono::milliseconds duration);

  std::string id_;
  Sink& sink_;
  EventStore& store_;
  Poco::Logger& log_;
  Counter& delivered_;
  Counter& rejected_;
  Counter& retries_;
  Histogram& latency_;
  std::atomic<std::int64_t> cursor_{0};
  std::set<std::int64_t> doneAhead_;  // confirmed beyond a retried event: never sent twice

  std::mutex mutex_;
  std::condition_variable stopSignal_;
  bool stopping_ = false;
  bool retrying_ = false;
  std::thread thread_;
};

}  // namespace lpr
