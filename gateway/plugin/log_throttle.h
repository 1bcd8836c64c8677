#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace Poco {
class Logger;
}

namespace lpr {

// Logs a warning at most once a minute per key, so a misconfigured camera retrying every second
// cannot flood the journal; the metrics carry the totals. Thread-safe.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::seconds every = std::chrono::seconds(60)) : every_(every) {}
  void warn(Poco::Logger& logger, const std::string& key, const std::string& message);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point last{};
    std::uint64_t suppressed = 0;
  };
  std::chrono::seconds every_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace lpr
