#include "app/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace lpr {

ServiceNotifier::ServiceNotifier() {
  std::uint64_t usec = 0;
  // Keeps WATCHDOG_USEC in the environment: it is checked once, here.
  if (sd_watchdog_enabled(0, &usec) > 0) watchdogTimeout_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::ready(const std::string& status) {
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void ServiceNotifier::reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading"); }

void ServiceNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

void ServiceNotifier::watchdog() { sd_notify(0, "WATCHDOG=1"); }

}  // namespace lpr
