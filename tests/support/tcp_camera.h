#pragma once

#include <Poco/Net/StreamSocket.h>

#include <string>

namespace lpr::testing {

// A camera's raw TCP connection to a push source's tcp_listen port on loopback.
class TcpCamera {
 public:
  explicit TcpCamera(int port);
  void send(const std::string& bytes);
  // True once the gateway closed its side (end of stream or reset) within 10 s.
  bool closedByPeer();
  void close() { socket_.close(); }

 private:
  Poco::Net::StreamSocket socket_;
};

}  // namespace lpr::testing
