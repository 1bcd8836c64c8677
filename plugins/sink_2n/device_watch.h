#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "directory_mirror.h"
#include "plugin/plugin.h"
#include "two_n_log_reader.h"
#include "verdict_correlator.h"

namespace lpr {
class Histogram;
}

namespace lpr::plugins::sink_2n {

struct DeviceWatchOptions {
  TwoNClientOptions client;
  bool verdicts = true;                            // read verdicts from the device log
  std::chrono::milliseconds verdictWindow{10000};  // a record later than this matches nothing
  bool mirror = true;                              // keep a local copy of the directory
  std::string mirrorPath;
  std::chrono::seconds syncInterval{300};  // besides every DirectoryChanged record
};

// Everything the gateway learns from one 2N device besides the answer to a forwarded read: the
// verdicts in its event log (handed to the core's VerdictBoard) and its directory (mirrored in
// SQLite for a local decision while the device is away). Owns the log reader, the correlator
// and a thread that syncs the mirror at start, after DirectoryChanged or a device restart, and
// every syncInterval.
class DeviceWatch {
 public:
  // Opens the mirror database (throws Poco::Exception when it cannot).
  DeviceWatch(DeviceWatchOptions options, PluginContext& ctx);
  ~DeviceWatch();
  DeviceWatch(const DeviceWatch&) = delete;
  DeviceWatch& operator=(const DeviceWatch&) = delete;

  // `availability` is told whether the device's verdicts can be read now (the log channel is
  // answered), on every change.
  void start(std::function<void(bool)> availability);
  void stop() noexcept;

  // Around each forwarded read: before sending, and when the device did not take it.
  void sending(ForwardedRead read);
  void notTaken(const std::string& eventId);

  const DirectoryMirror* mirror() const { return mirror_.get(); }
  std::optional<DirectorySyncResult> lastSync() const;
  std::uint64_t syncs() const;
  bool logConnected() const;
  void requestSync();

 private:
  void onRecord(const TwoNLogEvent& record);
  void syncLoop();

  DeviceWatchOptions options_;
  PluginContext& ctx_;
  Histogram& verdictLatency_;
  std::unique_ptr<DirectoryMirror> mirror_;
  std::unique_ptr<TwoNLogReader> reader_;
  std::function<void(bool)> availability_;

  std::mutex correlatorMutex_;
  VerdictCorrelator correlator_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool syncWanted_ = true;
  std::optional<DirectorySyncResult> lastSync_;
  std::uint64_t syncs_ = 0;
  bool lastAvailable_ = true;
  std::uint64_t subscriptionsSeen_ = 0;
  std::thread thread_;
};

}  // namespace lpr::plugins::sink_2n
