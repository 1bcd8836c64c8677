#include "modbus_test_server.h"

#include <Poco/File.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <modbus.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace lpr::testing {
namespace {

constexpr int kPollMs = 20;

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, kPollMs) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

int word(const std::uint8_t* at) { return (at[0] << 8) | at[1]; }

}  // namespace

ModbusTestServer::ModbusTestServer(std::string device, int baud, char parity, int unit)
    : device_(std::move(device)), baud_(baud), parity_(parity), unit_(unit) {}

ModbusTestServer::~ModbusTestServer() {
  stop();
  if (map_) modbus_mapping_free(map_);
}

void ModbusTestServer::start() {
  if (running_) return;
  if (!map_) map_ = modbus_mapping_new(kSize, kSize, kSize, kSize);
  stopping_ = false;
  if (device_.empty()) {
    ctx_ = modbus_new_tcp("127.0.0.1", port_);
    if (!ctx_) throw std::runtime_error("modbus_new_tcp failed");
    listenSocket_ = modbus_tcp_listen(ctx_, 4);
    if (listenSocket_ < 0) {
      std::string why = modbus_strerror(errno);
      modbus_free(ctx_);
      ctx_ = nullptr;
      throw std::runtime_error("Modbus test server cannot listen on port " + std::to_string(port_) +
                               ": " + why);
    }
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    ::getsockname(listenSocket_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  } else {
    ctx_ = modbus_new_rtu(device_.c_str(), baud_, parity_, 8, 1);
    if (!ctx_) throw std::runtime_error("modbus_new_rtu failed for " + device_);
    modbus_set_slave(ctx_, unit_);
    if (modbus_connect(ctx_) != 0) {
      std::string why = modbus_strerror(errno);
      modbus_free(ctx_);
      ctx_ = nullptr;
      throw std::runtime_error("Modbus test server cannot open " + device_ + ": " + why);
    }
  }
  running_ = true;
  thread_ = std::thread([this] { serve(); });
}

void ModbusTestServer::stop() {
  if (!running_) return;
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  modbus_close(ctx_);  // the client connection (TCP) or the serial device (RTU)
  if (listenSocket_ >= 0) ::close(listenSocket_);
  listenSocket_ = -1;
  modbus_free(ctx_);
  ctx_ = nullptr;
  running_ = false;
}

void ModbusTestServer::serve() {
  std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH > MODBUS_RTU_MAX_ADU_LENGTH
                         ? MODBUS_TCP_MAX_ADU_LENGTH
                         : MODBUS_RTU_MAX_ADU_LENGTH];
  const int header = modbus_get_header_length(ctx_);
  const bool tcp = device_.empty();
  while (!stopping_) {
    if (tcp) {
      if (!readable(listenSocket_)) continue;
      int s = listenSocket_;
      if (modbus_tcp_accept(ctx_, &s) < 0) continue;
    }
    // One connection (TCP) or the serial line (RTU) until it ends or the server stops.
    while (!stopping_) {
      if (!readable(modbus_get_socket(ctx_))) continue;
      int rc = modbus_receive(ctx_, query);
      if (rc > 0) {
        std::lock_guard lock(mutex_);
        ++requests_;
        record(query, rc, header);
        modbus_reply(ctx_, query, rc, map_);
        changed_.notify_all();
      } else if (rc == -1) {
        if (tcp) break;      // the client went away: accept the next one
        modbus_flush(ctx_);  // a garbled RTU frame: start over
      }
    }
    if (tcp && !stopping_) {
      modbus_close(ctx_);
    }
  }
}

void ModbusTestServer::record(const std::uint8_t* q, int length, int header) {
  if (length < header + 5) return;
  const auto now = std::chrono::steady_clock::now();
  const int unit = q[header - 1];
  const int function = q[header];
  const int address = word(q + header + 1);
  auto add = [&](int a, int value) {
    if (a >= 0 && a < kSize) writes_.push_back({now, unit, function, a, value});
  };
  switch (function) {
    case 0x05:
      add(address, word(q + header + 3) == 0xFF00 ? 1 : 0);
      break;
    case 0x06:
      add(address, word(q + header + 3));
      break;
    case 0x0F: {
      const int count = word(q + header + 3);
      if (address + count > kSize) return;  // answered with an exception: nothing written
      for (int i = 0; i < count; ++i) add(address + i, (q[header + 6 + i / 8] >> (i % 8)) & 1);
      break;
    }
    case 0x10: {
      const int count = word(q + header + 3);
      if (address + count > kSize) return;
      for (int i = 0; i < count; ++i) add(address + i, word(q + header + 6 + 2 * i));
      break;
    }
    default:
      break;
  }
}

std::vector<ModbusWrite> ModbusTestServer::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

std::vector<ModbusWrite> ModbusTestServer::coilWrites(int address) const {
  std::vector<ModbusWrite> out;
  for (const auto& w : writes()) {
    if ((w.function == 0x05 || w.function == 0x0F) && w.address == address) out.push_back(w);
  }
  return out;
}

std::vector<ModbusWrite> ModbusTestServer::registerWrites(int address) const {
  std::vector<ModbusWrite> out;
  for (const auto& w : writes()) {
    if ((w.function == 0x06 || w.function == 0x10) && w.address == address) out.push_back(w);
  }
  return out;
}

void ModbusTestServer::clearWrites() {
  std::lock_guard lock(mutex_);
  writes_.clear();
}

bool ModbusTestServer::waitWrites(
    const std::function<bool(const std::vector<ModbusWrite>&)>& condition,
    std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return condition(writes_); });
}

bool ModbusTestServer::coil(int address) const {
  std::lock_guard lock(mutex_);
  return map_ && map_->tab_bits[address] != 0;
}

int ModbusTestServer::holdingRegister(int address) const {
  std::lock_guard lock(mutex_);
  return map_ ? map_->tab_registers[address] : 0;
}

void ModbusTestServer::setDiscreteInput(int address, bool value) {
  std::lock_guard lock(mutex_);
  if (!map_) map_ = modbus_mapping_new(kSize, kSize, kSize, kSize);
  map_->tab_input_bits[address] = value ? 1 : 0;
}

SocatPtyPair::SocatPtyPair() = default;

SocatPtyPair::~SocatPtyPair() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void SocatPtyPair::start() {
  const std::string socat = findProgram("socat");
  if (socat.empty()) throw std::runtime_error("socat is not installed (apt-get install socat)");
  const std::string srv = "pty,raw,echo=0,link=" + serverEnd();
  const std::string cli = "pty,raw,echo=0,link=" + clientEnd();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::close_range(3, ~0U, 0);
    ::execl(socat.c_str(), socat.c_str(), srv.c_str(), cli.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;
  if (!waitFor(
          [&] { return Poco::File(serverEnd()).exists() && Poco::File(clientEnd()).exists(); })) {
    throw std::runtime_error("socat did not create " + serverEnd() + " and " + clientEnd());
  }
}

}  // namespace lpr::testing
