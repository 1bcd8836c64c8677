#include "plugin/log_throttle.h"

#include <Poco/Logger.h>

namespace lpr {

void LogThrottle::warn(Poco::Logger& logger, const std::string& key, const std::string& message) {
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t suppressed = 0;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[key];
    if (entry.last != std::chrono::steady_clock::time_point{} && now - entry.last < every_) {
      ++entry.suppressed;
      return;
    }
    entry.last = now;
    suppressed = entry.suppressed;
    entry.suppressed = 0;
  }
  if (suppressed > 0) {
    logger.warning("%s (%s similar messages suppressed since the last one)", message,
                   std::to_string(suppressed));
  } else {
    logger.warning(message);
  }
}

}  // namespace lpr
