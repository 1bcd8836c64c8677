// The Type=notify protocol without systemd: the test plays systemd's part on an AF_UNIX
// datagram socket (NOTIFY_SOCKET, WATCHDOG_USEC) and checks what the gateway tells it on
// start, while running, on SIGHUP and on SIGTERM.
#include <Poco/Environment.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "gateway_process.h"
#include "test_env.h"

namespace lpr::testing {
namespace {

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof(addr.sun_path)) throw std::runtime_error("socket");
    std::strcpy(addr.sun_path, path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("bind " + path + ": " + std::strerror(errno));
    }
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }

  // The next datagram, or nullopt when none comes before the deadline.
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

  // Reads until a datagram contains `what`; false at the deadline.
  bool waitFor(const std::string& what, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto message = next(left);
      if (!message) return false;
      seen_ += *message + "|";
      if (message->find(what) != std::string::npos) return true;
    }
  }
  const std::string& seen() const { return seen_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string seen_;
};

const std::string kAuth =
    "pipeline.processors = auth\n"
    "plugin.auth.type = proc_authorize\n"
    "plugin.auth.list.1.action = allow\n"
    "plugin.auth.list.1.plate = AB123CD\n";

TEST(ServiceNotifyTest, ReportsReadyFeedsTheWatchdogReloadsOnHupAndReportsStopping) {
  GatewayProcess gateway;
  NotifySocket systemd(gateway.dir() + "/notify.sock");
  gateway.configure(kAuth);
  // The child inherits these; systemd sets them the same way.
  Poco::Environment::set("NOTIFY_SOCKET", gateway.dir() + "/notify.sock");
  Poco::Environment::set("WATCHDOG_USEC", "400000");
  gateway.start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");

  ASSERT_TRUE(systemd.waitFor("READY=1", std::chrono::seconds(10))) << gateway.log();
  // A quarter of WatchdogSec apart: several pings well within a few of its periods.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(systemd.waitFor("WATCHDOG=1", std::chrono::seconds(2))) << systemd.seen();
  }

  // A second list entry, taken up live.
  gateway.configure(kAuth +
                    "plugin.auth.list.2.action = deny\n"
                    "plugin.auth.list.2.plate = XY999ZZ\n");
  gateway.signal(SIGHUP);
  ASSERT_TRUE(systemd.waitFor("RELOADING=1", std::chrono::seconds(5))) << systemd.seen();
  ASSERT_TRUE(systemd.waitFor("READY=1", std::chrono::seconds(5))) << systemd.seen();
  EXPECT_TRUE(lpr::testing::waitFor([&] {
    return gateway.log().find("reloaded: 2 list entries") != std::string::npos;
  })) << gateway.log();
  EXPECT_TRUE(gateway.running());
  ASSERT_TRUE(systemd.waitFor("WATCHDOG=1", std::chrono::seconds(2))) << systemd.seen();

  gateway.signal(SIGTERM);
  EXPECT_TRUE(systemd.waitFor("STOPPING=1", std::chrono::seconds(10))) << systemd.seen();
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

TEST(ServiceNotifyTest, WithoutSystemdNothingIsSentAndHupStillReloads) {
  GatewayProcess gateway;
  gateway.configure(kAuth);
  gateway.start();
  gateway.signal(SIGHUP);
  EXPECT_TRUE(lpr::testing::waitFor([&] {
    return gateway.log().find("reloaded: 1 list entries") != std::string::npos;
  })) << gateway.log();
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

}  // namespace
}  // namespace lpr::testing
