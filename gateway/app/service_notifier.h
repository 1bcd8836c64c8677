#pragma once

#include <chrono>
#include <string>

namespace lpr {

// The sd_notify protocol to systemd (Type=notify): state changes and the watchdog. Without
// NOTIFY_SOCKET (run by hand, in tests) every call does nothing.
class ServiceNotifier {
 public:
  ServiceNotifier();

  void ready(const std::string& status);
  void reloading();
  void stopping();
  void watchdog();
  // WatchdogSec of the unit, or zero when systemd expects no pings from this process.
  std::chrono::microseconds watchdogTimeout() const { return watchdogTimeout_; }

 private:
  std::chrono::microseconds watchdogTimeout_{0};
};

}  // namespace lpr
