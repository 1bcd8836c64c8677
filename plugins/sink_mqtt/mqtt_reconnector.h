#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace Poco {
class Logger;
}

namespace lpr::mqtt_link {

// Keeps a plugin's MQTT connection up, the same way for sink_mqtt (a publisher) and the MQTT
// sources: after a loss it connects again at once, then with doubling backoff (250 ms .. 30 s)
// while attempts fail, and logs a failure once per distinct reason. While connected it asks paho
// every second whether the link is still there, for a loss paho reported before the plugin's
// connect marked the connection up.
//
// `connected` is the plugin's flag (shared with its metrics gauge): the plugin's connect sets
// it; the reconnector clears it when the link is found dead or lost() is called.
class Reconnector {
 public:
  struct Link {
    // One connect attempt, waited on; empty once connected, else a one-line reason naming
    // what to fix. Called on the reconnector's thread without any lock of ours.
    std::function<std::string()> connect;
    // Whether paho still holds the connection; called without any lock of ours, as paho runs
    // the plugin's callbacks holding its own.
    std::function<bool()> alive;
  };

  Reconnector(Poco::Logger& logger, std::string broker,
              std::shared_ptr<std::atomic<bool>> connected);
  ~Reconnector();
  Reconnector(const Reconnector&) = delete;
  Reconnector& operator=(const Reconnector&) = delete;

  // Starts the thread: after the plugin's own first connect succeeded, or, while `connected`
  // is false, with an attempt at once (lastError() says "connecting" until it is made).
  void start(Link link);
  // Joins the thread; start() may follow.
  void stop() noexcept;

  // The connection is gone (paho's lost-connection callback, a connection the plugin gave up):
  // marked down, and the next attempt is made at once. Safe on paho's thread.
  void lost();
  // A failed connect outside the thread (the plugin's start()), for lastError().
  void failed(const std::string& error);

  // Time to the next attempt (zero or less when one is due or running).
  std::chrono::milliseconds untilNextAttempt() const;
  // Why the last attempt failed; empty after a success.
  std::string lastError() const;

 private:
  void loop();
  void checkLink(std::unique_lock<std::mutex>& lock);
  void attempt(std::unique_lock<std::mutex>& lock);

  Poco::Logger& logger_;
  const std::string broker_;
  const std::shared_ptr<std::atomic<bool>> connected_;
  Link link_;

  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point nextAttempt_;
  int failedAttempts_ = 0;
  std::string lastError_;
  std::thread thread_;
};

}  // namespace lpr::mqtt_link
