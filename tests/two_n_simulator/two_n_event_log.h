#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace lpr::testing {

// One record of the device's event log, as /api/log/pull returns it.
struct TwoNEvent {
  std::uint32_t id = 0;      // restarts at 1 with every device start
  std::int64_t utcTime = 0;  // Unix seconds
  std::int64_t upTime = 0;   // seconds since the device started
  std::string event;         // "LicensePlateRecognized", ...
  std::string paramsJson = "{}";

  Poco::JSON::Object::Ptr params() const;  // parsed anew on every call
  std::string toJson() const;              // {"id":..,"tzShift":0,"utcTime":..,...}
};

// The device's event log (2n-http-api.md §3): a bounded history buffer and subscription channels
// that read it with long polls. Thread-safe; a pull waits on a condition variable, so a waiting
// client costs nothing until an event, its timeout, or shutdown() wakes it.
class TwoNEventLog {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  static constexpr std::size_t kPullBatch = 128;  // events per pull at most, like the device
  static constexpr std::chrono::seconds kDefaultDuration{90};
  static constexpr std::chrono::seconds kMaxDuration{3600};

  explicit TwoNEventLog(std::size_t capacity = 10000, WallClock wallClock = {});

  // A device (re)start: the buffer empties, ids start again at 1, every channel id is invalid,
  // and pulls may wait again.
  void restart();
  // The device goes down: every waiting pull returns now, and new ones return at once.
  void shutdown();

  TwoNEvent append(const std::string& event, const std::string& paramsJson);

  // `include`: "new" (default), "all", or "-t" (the last t seconds). An empty filter takes every
  // event type. Throws TwoNError(12, "include") for anything else. Returns the channel id.
  std::uint32_t subscribe(const std::set<std::string>& filter, const std::string& include,
                          std::chrono::seconds duration);
  // The channel's next events (up to kPullBatch), waiting up to `timeout` for the first one;
  // nullopt when the channel does not exist (never did, expired, unsubscribed, device restarted).
  std::optional<std::vector<TwoNEvent>> pull(std::uint32_t id, std::chrono::milliseconds timeout);
  bool unsubscribe(std::uint32_t id);

  std::vector<TwoNEvent> events() const;  // the whole buffer, oldest first
  std::size_t channelCount() const;
  std::size_t waitingPulls() const;  // pulls parked waiting for an event
  std::int64_t upTimeSeconds() const;
  std::int64_t utcNow() const;

 private:
  struct Channel {
    std::set<std::string> filter;
    std::uint32_t next = 1;  // id of the next event this channel has not seen
    std::chrono::seconds duration{kDefaultDuration};
    std::chrono::steady_clock::time_point expires;
    int pulling = 0;
  };
  using Lock = std::unique_lock<std::mutex>;

  // Collects the channel's next events and moves its cursor past them.
  std::vector<TwoNEvent> take(Channel& channel);
  bool hasEvents(const Channel& channel) const;
  void dropExpired(std::chrono::steady_clock::time_point now);
  std::int64_t utcNowLocked() const;

  const std::size_t capacity_;
  WallClock wallClock_;
  std::mt19937 random_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<TwoNEvent> buffer_;
  std::uint32_t nextId_ = 1;
  std::map<std::uint32_t, Channel> channels_;
  std::chrono::steady_clock::time_point bootTime_;
  bool down_ = false;
  std::size_t waiting_ = 0;
};

}  // namespace lpr::testing
