#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace lpr {

class Metrics;
class Counter;

// Snapshot images as files, referenced from events by path. Written (and fsynced) before the
// event that names them is committed. Bounded in bytes: the oldest files go first.
class ImageSpool {
 public:
  ImageSpool(std::string directory, std::uint64_t maxBytes, bool fsyncFiles, Metrics& metrics);

  // Returns the file path, or throws Poco::Exception (disk full, permissions).
  std::string write(const std::string& eventId, std::string_view bytes, std::string_view extension);
  void remove(const std::string& path);
  std::uint64_t bytes() const;
  const std::string& directory() const { return directory_; }

 private:
  void evictLocked();

  std::string directory_;
  std::uint64_t maxBytes_;
  bool fsync_;
  Counter& evicted_;
  mutable std::mutex mutex_;
  std::deque<std::pair<std::string, std::uint64_t>> files_;  // oldest first
  std::uint64_t bytes_ = 0;
};

}  // namespace lpr
