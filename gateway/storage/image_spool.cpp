#include "storage/image_spool.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Timestamp.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "metrics/metrics.h"

namespace lpr {

ImageSpool::ImageSpool(std::string directory, std::uint64_t maxBytes, bool fsyncFiles,
                       Metrics& metrics)
    : directory_(std::move(directory)),
      maxBytes_(maxBytes),
      fsync_(fsyncFiles),
      evicted_(metrics.counter("lpr_spool_evicted_total",
                               "Snapshot files removed because the spool reached its size bound")) {
  Poco::File(directory_).createDirectories();
  // Day folders and time-prefixed names sort oldest first.
  std::vector<std::pair<std::string, std::uint64_t>> found;
  for (Poco::DirectoryIterator day(directory_), end; day != end; ++day) {
    if (!day->isDirectory()) continue;
    for (Poco::DirectoryIterator f(day->path()), fend; f != fend; ++f) {
      if (f->isFile()) found.emplace_back(f->path(), f->getSize());
    }
  }
  std::sort(found.begin(), found.end());
  for (auto& entry : found) {
    bytes_ += entry.second;
    files_.push_back(std::move(entry));
  }
  metrics.gauge("lpr_spool_bytes", "Bytes of snapshot images in the spool", {},
                [this] { return static_cast<double>(bytes()); });
}

std::string ImageSpool::write(const std::string& eventId, std::string_view bytes,
                              std::string_view extension) {
  Poco::Timestamp now;
  Poco::Path dir(directory_, Poco::DateTimeFormatter::format(now, "%Y%m%d"));
  Poco::File(dir).createDirectories();
  std::string name = Poco::DateTimeFormatter::format(now, "%H%M%S%i") + "-" + eventId + "." +
                     std::string(extension);
  std::string path = Poco::Path(dir, name).toString();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) throw Poco::FileException("cannot create " + path, std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw Poco::WriteFileException(path, std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync_ && ::fdatasync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    throw Poco::WriteFileException(path, std::strerror(err));
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  files_.emplace_back(path, bytes.size());
  bytes_ += bytes.size();
  evictLocked();
  return path;
}

void ImageSpool::remove(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(files_.begin(), files_.end(), [&](auto& f) { return f.first == path; });
  if (it != files_.end()) {
    bytes_ -= it->second;
    files_.erase(it);
  }
  ::unlink(path.c_str());
}

std::uint64_t ImageSpool::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

void ImageSpool::evictLocked() {
  while (bytes_ > maxBytes_ && files_.size() > 1) {
    auto [path, size] = files_.front();
    files_.pop_front();
    bytes_ -= size;
    // The store's retention may have removed it already; only count real evictions.
    if (::unlink(path.c_str()) == 0) evicted_.inc();
  }
}

}  // namespace lpr
