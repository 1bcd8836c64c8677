#pragma once

#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "two_n_client.h"

namespace Poco {
class Logger;
}

namespace lpr::plugins::sink_2n {

// One record of the device's event log (2n-http-api.md §3, /api/log/pull).
struct TwoNLogEvent {
  std::uint32_t id = 0;            // restarts at 1 with every device start
  std::int64_t utcTime = 0;        // Unix seconds
  std::int64_t upTime = 0;         // seconds since the device started (0 when absent)
  std::string event;               // "LicensePlateRecognized", ...
  Poco::JSON::Object::Ptr params;  // never null (an empty object when the device sent none)
};

struct TwoNLogReaderOptions {
  // The device; the reader makes its own clients from it (one for the long polls, one for
  // stop()'s unsubscribe), so it never waits behind the forwarding client.
  TwoNClientOptions client;
  // The event types the gateway acts on: verdicts, the door, directory changes, restarts.
  std::string filter =
      "LicensePlateRecognized,UserAuthenticated,UserRejected,SwitchStateChanged,"
      "DirectoryChanged,DeviceState";
  // How long one pull may wait on the device for an event. The device only answers at an event
  // or at this timeout, so it also bounds how long stop() can take when the device does not end
  // a parked pull on unsubscribe (the simulator does; a real device is unconfirmed).
  std::chrono::seconds pullTimeout{10};
  // Channel lifetime without pulls (the device's `duration`, 1..3600); every pull renews it.
  std::chrono::seconds channelDuration{90};
  // Wait between attempts while the device cannot be reached or refuses: doubles from
  // backoffMin up to backoffMax.
  std::chrono::milliseconds backoffMin{200};
  std::chrono::milliseconds backoffMax{5000};
  Poco::Logger* logger = nullptr;  // null: "lpr.2n.log_reader"
};

// What the reader has done so far, for health and tests.
struct TwoNLogReaderStats {
  std::uint64_t subscriptions = 0;  // channels created (the first one and every resubscription)
  std::uint64_t pulls = 0;          // pulls answered with success
  std::uint64_t delivered = 0;      // events handed to the callback
  std::uint64_t failures = 0;       // requests that failed (transport or 2N error)
  bool connected = false;           // the last request was answered with success
  std::string lastError;            // summary of the last failure, empty when none yet
};

// Reads a 2N device's event log on its own thread: subscribes (/api/log/subscribe with the
// filter), long-polls /api/log/pull, and hands every event to the callback, in the device's
// order. It resubscribes when the channel is gone (error 12 naming `id`: the device restarted,
// or the channel expired) and after a DeviceState event; a resubscription asks for the whole
// history buffer and skips what was already delivered, so events logged while the channel was
// gone (a plate read right after a reboot) are not lost. While the device cannot be reached it
// backs off (bounded, cut short by stop()). stop() unsubscribes.
//
// The callback runs on the reader's thread; it should be quick (a slow callback delays the next
// pull, never loses events: the device keeps them in the channel).
class TwoNLogReader {
 public:
  using Callback = std::function<void(const TwoNLogEvent&)>;

  // Throws std::invalid_argument when the client options are unusable (optionsProblem()).
  TwoNLogReader(TwoNLogReaderOptions options, Callback callback);
  ~TwoNLogReader();
  TwoNLogReader(const TwoNLogReader&) = delete;
  TwoNLogReader& operator=(const TwoNLogReader&) = delete;

  // Starts the thread; returns at once (the first subscription happens on the thread).
  void start();
  // Ends the thread and unsubscribes; idempotent. Returns within about one request timeout
  // (unsubscribe wakes a parked pull), at worst pullTimeout + the client timeout.
  void stop() noexcept;
  bool running() const { return running_; }

  TwoNLogReaderStats stats() const;
  // Waits until the first subscription succeeded or failed; true when it succeeded.
  bool waitFirstAnswer(std::chrono::milliseconds timeout) const;
  std::uint32_t channelId() const;  // 0 when not subscribed

 private:
  void run();
  bool subscribe(bool replayHistory);
  // Returns false when the channel is gone (resubscribe), true otherwise.
  bool pullOnce();
  void deliver(const TwoNLogEvent& event);
  void failed(const std::string& what, const TwoNReply& reply);
  void backoff();  // waits the current backoff (or until stop()) and doubles it
  void unsubscribe(TwoNClient& client, std::uint32_t id);

  TwoNLogReaderOptions options_;
  Callback callback_;
  Poco::Logger& log_;
  std::unique_ptr<TwoNClient> pollClient_;
  std::unique_ptr<TwoNClient> controlClient_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  mutable std::condition_variable progress_;  // a subscription or a failure happened
  bool stopping_ = false;
  std::uint32_t channel_ = 0;
  TwoNLogReaderStats stats_;
  std::atomic<bool> running_{false};
  std::thread thread_;

  // Reader thread only: the last event delivered. A resubscription asks for the whole history
  // buffer (include=all); what it replays is skipped when it is not newer than this (ids grow
  // within one boot; a new boot restarts them, but its events are later in time). A restart
  // within the second of the last delivered event, or a device clock set back, could hide the
  // new boot's first events; real devices take tens of seconds to boot.
  std::uint32_t lastId_ = 0;
  std::int64_t lastUtc_ = -1;
  std::chrono::milliseconds nextBackoff_{0};
};

}  // namespace lpr::plugins::sink_2n
