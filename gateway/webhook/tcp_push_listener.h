#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/ip_network.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
}
}  // namespace Poco

namespace lpr {

// A raw TCP port on which cameras push JSON objects back to back, with no HTTP around them and
// no replies (AXIS ALPV's TCP mode, Vaxtor's TCP output). Raw TCP carries no credentials, so
// only addresses in `allowFrom` may send; a connection from elsewhere is closed at once.
// Each connection gets a thread of Poco's TCPServer and its own JsonStreamSplitter.
class TcpPushListener {
 public:
  struct Options {
    std::string host = "0.0.0.0";
    int port = 0;  // 0: the kernel picks one (tests); see port()
    std::vector<IpNetwork> allowFrom;
    std::size_t maxObjectBytes = 8u << 20;
    int idleTimeoutS = 600;  // a connection silent this long is closed (half-open links)
    int maxConnections = 16;
  };
  // One object from `peer`; false closes the connection (the sender's cue to send again).
  using OnObject = std::function<bool(std::string object, const std::string& peer)>;
  // A framing or connection problem: kind is forbidden | framing | too_big | truncated.
  using OnProblem = std::function<void(const std::string& kind, const std::string& detail,
                                       const std::string& peer)>;

  TcpPushListener(Options options, OnObject onObject, OnProblem onProblem);
  ~TcpPushListener();
  TcpPushListener(const TcpPushListener&) = delete;
  TcpPushListener& operator=(const TcpPushListener&) = delete;

  // Binds and starts accepting; throws Poco::Exception when the address cannot be bound.
  void start();
  // Stops accepting, ends every connection and waits for their threads to leave.
  void stop() noexcept;
  int port() const { return port_; }

 private:
  class Connection;
  class Factory;
  // What connections use, kept alive by them: a connection Poco creates while stop() runs must
  // find it (and stopping set) even after this object is gone.
  struct Shared {
    Options options;
    OnObject onObject;
    OnProblem onProblem;
    std::atomic<bool> stopping{false};
    std::mutex mutex;  // guards active
    std::condition_variable idle;
    int active = 0;
  };

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Poco::ThreadPool> pool_;  // its own: the HTTP server's never waits for these
  std::unique_ptr<Poco::Net::TCPServer> server_;
  int port_ = 0;
};

}  // namespace lpr
