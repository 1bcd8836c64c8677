#include "mqtt_reconnector.h"

#include <Poco/Logger.h>

#include <algorithm>

namespace lpr::mqtt_link {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kInitialBackoff = 250ms;
constexpr std::chrono::milliseconds kMaxBackoff = 30s;
constexpr auto kLinkCheck = 1s;

}  // namespace

Reconnector::Reconnector(Poco::Logger& logger, std::string broker,
                         std::shared_ptr<std::atomic<bool>> connected)
    : logger_(logger),
      broker_(std::move(broker)),
      connected_(std::move(connected)),
      backoff_(kInitialBackoff),
      nextAttempt_(std::chrono::steady_clock::now()) {}

Reconnector::~Reconnector() { stop(); }

void Reconnector::start(Link link) {
  stop();
  std::lock_guard<std::mutex> lock(mutex_);
  link_ = std::move(link);
  stopping_ = false;
  backoff_ = kInitialBackoff;
  failedAttempts_ = 0;
  nextAttempt_ = std::chrono::steady_clock::now();
  lastError_ = connected_->load() ? "" : "connecting";
  thread_ = std::thread([this] { loop(); });
}

void Reconnector::stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reconnector::lost() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connected_->store(false);
    backoff_ = kInitialBackoff;
    nextAttempt_ = std::chrono::steady_clock::now();
    failedAttempts_ = 0;
  }
  wake_.notify_all();
}

void Reconnector::failed(const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  lastError_ = error;
}

std::chrono::milliseconds Reconnector::untilNextAttempt() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(nextAttempt_ -
                                                               std::chrono::steady_clock::now());
}

std::string Reconnector::lastError() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lastError_;
}

void Reconnector::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (connected_->load()) {
      checkLink(lock);
    } else if (std::chrono::steady_clock::now() < nextAttempt_) {
      // lost() moves the attempt forward.
      wake_.wait_until(lock, nextAttempt_, [&] {
        return stopping_ || std::chrono::steady_clock::now() >= nextAttempt_;
      });
    } else {
      attempt(lock);
    }
  }
}

void Reconnector::checkLink(std::unique_lock<std::mutex>& lock) {
  wake_.wait_for(lock, kLinkCheck, [&] { return stopping_ || !connected_->load(); });
  if (stopping_ || !connected_->load()) return;
  lock.unlock();
  const bool alive = link_.alive();
  lock.lock();
  if (!alive && connected_->load()) {
    connected_->store(false);
    nextAttempt_ = std::chrono::steady_clock::now();
  }
}

void Reconnector::attempt(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  const std::string error = link_.connect();
  lock.lock();
  if (error.empty()) {
    if (failedAttempts_ > 0) {
      logger_.information("MQTT reconnected broker=%s after %d failed attempts", broker_,
                          failedAttempts_);
    }
    failedAttempts_ = 0;
    backoff_ = kInitialBackoff;
    lastError_.clear();
    return;
  }
  ++failedAttempts_;
  if (error != lastError_) {
    // Once per distinct reason, not once per attempt.
    logger_.warning("MQTT reconnect failed, retrying with backoff: %s", error);
    lastError_ = error;
  }
  nextAttempt_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

}  // namespace lpr::mqtt_link
