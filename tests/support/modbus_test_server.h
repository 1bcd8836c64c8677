#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_env.h"

typedef struct _modbus modbus_t;
typedef struct _modbus_mapping_t modbus_mapping_t;

namespace lpr::testing {

// One write a Modbus client made, as the server received it (before it answered).
struct ModbusWrite {
  std::chrono::steady_clock::time_point at;
  int unit = 0;
  int function = 0;  // 0x05, 0x0F (coils), 0x06, 0x10 (holding registers)
  int address = 0;
  int value = 0;  // coil 0/1 or register value; multi-writes record one entry per item
};

// A real Modbus device in the test process (libmodbus server mode, test-infra.md §4.2): 200
// coils, discrete inputs, holding and input registers from address 0. TCP on 127.0.0.1 (port 0
// the first time, the same port after a restart), or RTU on a serial device (a socat pty).
// Serves one client connection at a time, accepting the next when it ends. Every write is
// recorded with a steady-clock timestamp, so a test sees a coil go 1 and back to 0.
class ModbusTestServer {
 public:
  static constexpr int kSize = 200;

  ModbusTestServer() = default;  // TCP
  // RTU on `device` (e.g. the server end of a socat pty pair), 8 data bits, 1 stop bit.
  ModbusTestServer(std::string device, int baud, char parity, int unit);
  ~ModbusTestServer();
  ModbusTestServer(const ModbusTestServer&) = delete;
  ModbusTestServer& operator=(const ModbusTestServer&) = delete;

  void start();  // throws std::runtime_error when it cannot listen/open
  void stop();   // closes the listener and the client connection; the map is kept
  int port() const { return port_; }
  bool running() const { return running_; }

  std::vector<ModbusWrite> writes() const;
  std::vector<ModbusWrite> coilWrites(int address) const;
  std::vector<ModbusWrite> registerWrites(int address) const;
  void clearWrites();
  // Waits until `condition` holds on the writes (checked on every write) or the timeout passes.
  bool waitWrites(const std::function<bool(const std::vector<ModbusWrite>&)>& condition,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  int requests() const { return requests_; }

  bool coil(int address) const;
  int holdingRegister(int address) const;
  void setDiscreteInput(int address, bool value);

 private:
  void serve();
  void record(const std::uint8_t* request, int length, int headerLength);

  std::string device_;  // empty: TCP
  int baud_ = 19200;
  char parity_ = 'N';
  int unit_ = 1;
  int port_ = 0;

  modbus_t* ctx_ = nullptr;
  modbus_mapping_t* map_ = nullptr;
  int listenSocket_ = -1;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;

  mutable std::mutex mutex_;  // the map and the writes
  mutable std::condition_variable changed_;
  std::vector<ModbusWrite> writes_;
};

// `socat` joining two pseudo-terminals, DIR/srv and DIR/cli, started from the test and killed
// at the end (test-infra.md §4.1).
class SocatPtyPair {
 public:
  SocatPtyPair();
  ~SocatPtyPair();
  SocatPtyPair(const SocatPtyPair&) = delete;
  SocatPtyPair& operator=(const SocatPtyPair&) = delete;
  void start();  // throws when socat is missing or the links do not appear within 10 s
  std::string serverEnd() const { return dir_.file("srv"); }
  std::string clientEnd() const { return dir_.file("cli"); }

 private:
  ScratchDir dir_{"lpr-socat"};
  pid_t pid_ = -1;
};

}  // namespace lpr::testing
