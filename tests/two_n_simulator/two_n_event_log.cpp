#include "two_n_event_log.h"

#include <Poco/NumberParser.h>

#include <algorithm>

#include "two_n_reply.h"

namespace lpr::testing {

Poco::JSON::Object::Ptr TwoNEvent::params() const { return parseJsonObject(paramsJson); }

std::string TwoNEvent::toJson() const {
  return R"({"id":)" + std::to_string(id) + R"(,"tzShift":0,"utcTime":)" + std::to_string(utcTime) +
         R"(,"upTime":)" + std::to_string(upTime) + R"(,"event":")" + event + R"(","params":)" +
         paramsJson + "}";
}

TwoNEventLog::TwoNEventLog(std::size_t capacity, WallClock wallClock)
    : capacity_(std::max<std::size_t>(1, capacity)),
      wallClock_(wallClock ? std::move(wallClock)
                           : [] { return std::chrono::system_clock::now(); }),
      random_(std::random_device{}()),
      bootTime_(std::chrono::steady_clock::now()) {}

void TwoNEventLog::restart() {
  std::lock_guard lock(mutex_);
  buffer_.clear();
  nextId_ = 1;
  channels_.clear();
  bootTime_ = std::chrono::steady_clock::now();
  down_ = false;
  changed_.notify_all();
}

void TwoNEventLog::shutdown() {
  std::lock_guard lock(mutex_);
  down_ = true;
  changed_.notify_all();
}

std::int64_t TwoNEventLog::utcNowLocked() const {
  return std::chrono::duration_cast<std::chrono::seconds>(wallClock_().time_since_epoch()).count();
}

std::int64_t TwoNEventLog::utcNow() const {
  std::lock_guard lock(mutex_);
  return utcNowLocked();
}

std::int64_t TwoNEventLog::upTimeSeconds() const {
  std::lock_guard lock(mutex_);
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                          bootTime_)
      .count();
}

TwoNEvent TwoNEventLog::append(const std::string& event, const std::string& paramsJson) {
  std::lock_guard lock(mutex_);
  TwoNEvent record;
  record.id = nextId_++;
  record.utcTime = utcNowLocked();
  record.upTime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - bootTime_)
          .count();
  record.event = event;
  record.paramsJson = paramsJson.empty() ? "{}" : paramsJson;
  buffer_.push_back(record);
  if (buffer_.size() > capacity_) buffer_.pop_front();
  changed_.notify_all();
  return record;
}

void TwoNEventLog::dropExpired(std::chrono::steady_clock::time_point now) {
  std::erase_if(channels_, [&](const auto& item) {
    return item.second.pulling == 0 && now > item.second.expires;
  });
}

std::uint32_t TwoNEventLog::subscribe(const std::set<std::string>& filter,
                                      const std::string& include, std::chrono::seconds duration) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  dropExpired(now);
  Channel channel;
  channel.filter = filter;
  channel.duration = std::clamp(duration, std::chrono::seconds(1), kMaxDuration);
  channel.expires = now + channel.duration;
  const std::uint32_t firstBuffered = buffer_.empty() ? nextId_ : buffer_.front().id;
  if (include.empty() || include == "new") {
    channel.next = nextId_;
  } else if (include == "all") {
    channel.next = firstBuffered;
  } else {
    unsigned seconds = 0;
    if (include.size() < 2 || include[0] != '-' ||
        !Poco::NumberParser::tryParseUnsigned(include.substr(1), seconds)) {
      throw TwoNError(two_n_error::kInvalidParameter, "include");
    }
    const std::int64_t since = utcNowLocked() - seconds;
    channel.next = nextId_;
    for (const auto& event : buffer_) {
      if (event.utcTime >= since) {
        channel.next = event.id;
        break;
      }
    }
  }
  std::uint32_t id = 0;
  // Random ids, like the device's, so that a client cannot guess them and an id from before a
  // restart is almost surely unknown afterwards.
  while (id == 0 || channels_.count(id) != 0) id = static_cast<std::uint32_t>(random_());
  channels_.emplace(id, std::move(channel));
  return id;
}

bool TwoNEventLog::hasEvents(const Channel& channel) const {
  if (buffer_.empty() || channel.next >= nextId_) return false;
  const std::uint32_t first = buffer_.front().id;
  const std::size_t start = channel.next > first ? channel.next - first : 0;
  for (std::size_t i = start; i < buffer_.size(); ++i) {
    if (channel.filter.empty() || channel.filter.count(buffer_[i].event) != 0) return true;
  }
  return false;
}

std::vector<TwoNEvent> TwoNEventLog::take(Channel& channel) {
  std::vector<TwoNEvent> out;
  if (buffer_.empty()) return out;
  const std::uint32_t first = buffer_.front().id;
  const std::size_t start = channel.next > first ? channel.next - first : 0;
  std::size_t i = start;
  for (; i < buffer_.size() && out.size() < kPullBatch; ++i) {
    if (channel.filter.empty() || channel.filter.count(buffer_[i].event) != 0) {
      out.push_back(buffer_[i]);
    }
  }
  channel.next = i < buffer_.size() ? buffer_[i].id : nextId_;
  return out;
}

std::optional<std::vector<TwoNEvent>> TwoNEventLog::pull(std::uint32_t id,
                                                         std::chrono::milliseconds timeout) {
  Lock lock(mutex_);
  dropExpired(std::chrono::steady_clock::now());
  auto it = channels_.find(id);
  if (it == channels_.end()) return std::nullopt;
  if (!down_ && timeout.count() > 0 && !hasEvents(it->second)) {
    ++it->second.pulling;
    ++waiting_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    changed_.wait_until(lock, deadline, [&] {
      // restart() or unsubscribe() may have removed the channel meanwhile.
      auto current = channels_.find(id);
      return down_ || current == channels_.end() || hasEvents(current->second);
    });
    --waiting_;
    it = channels_.find(id);
    if (it == channels_.end()) return std::vector<TwoNEvent>{};
    --it->second.pulling;
  }
  // Every pull extends the channel's life by its duration.
  it->second.expires = std::chrono::steady_clock::now() + it->second.duration;
  return take(it->second);
}

bool TwoNEventLog::unsubscribe(std::uint32_t id) {
  std::lock_guard lock(mutex_);
  dropExpired(std::chrono::steady_clock::now());
  const bool removed = channels_.erase(id) != 0;
  changed_.notify_all();
  return removed;
}

std::vector<TwoNEvent> TwoNEventLog::events() const {
  std::lock_guard lock(mutex_);
  return {buffer_.begin(), buffer_.end()};
}

std::size_t TwoNEventLog::channelCount() const {
  std::lock_guard lock(mutex_);
  return channels_.size();
}

std::size_t TwoNEventLog::waitingPulls() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace lpr::testing
