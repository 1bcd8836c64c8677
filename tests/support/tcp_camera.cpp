#include "tcp_camera.h"

#include <Poco/Net/SocketAddress.h>

namespace lpr::testing {

TcpCamera::TcpCamera(int port) : socket_(Poco::Net::SocketAddress("127.0.0.1", port)) {}

void TcpCamera::send(const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    sent += socket_.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
  }
}

bool TcpCamera::closedByPeer() {
  socket_.setReceiveTimeout(Poco::Timespan(10, 0));
  char byte = 0;
  try {
    return socket_.receiveBytes(&byte, 1) == 0;
  } catch (const Poco::TimeoutException&) {
    return false;
  } catch (const Poco::Exception&) {
    return true;  // reset
  }
}

}  // namespace lpr::testing
