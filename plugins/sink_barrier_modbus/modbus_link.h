#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gate/barrier_controller.h"

typedef struct _modbus modbus_t;

namespace lpr::plugins::sink_barrier_modbus {

struct LinkSettings {
  std::string mode = "tcp";  // tcp | rtu
  std::string host;
  int port = 502;
  std::string device;  // rtu
  int baud = 19200;
  char parity = 'N';
  int dataBits = 8;
  int stopBits = 1;
  std::chrono::milliseconds timeout{500};
  std::chrono::milliseconds reconnectMin{100};
  std::chrono::milliseconds reconnectMax{1000};
};

// One Modbus connection (TCP or RTU) shared by the relays of a sink. libmodbus contexts are
// not thread-safe, so every request takes the link's mutex. A request on a closed link
// connects first, at most once per backoff step (reconnect_min_ms doubling up to
// reconnect_max_ms) so that a dead device is not hammered; an error that is not a Modbus
// exception closes the connection. A request that fails on a connection that was already open
// (the device restarted while idle) reconnects at once and is tried once more: the writes here
// are idempotent (set coil / register to a value).
//
// Outcomes: Ok; Refused for the exceptions that retrying cannot fix (illegal function, data
// address, data value); Unreachable for everything else (no connection, timeout, CRC, busy).
class ModbusLink {
 public:
  explicit ModbusLink(LinkSettings settings);
  ~ModbusLink();
  ModbusLink(const ModbusLink&) = delete;
  ModbusLink& operator=(const ModbusLink&) = delete;

  RelayWrite writeCoil(int unit, int address, bool on);
  RelayWrite writeRegister(int unit, int address, int value);
  RelayWrite readDiscreteInput(int unit, int address, bool& value);

  // Connects now unless connected (ignores the backoff); empty on success, else why not.
  std::string connect();
  void close();

  bool connected() const;
  std::string lastError() const;
  std::string peer() const;  // "tcp 192.168.10.20:502" | "rtu /dev/ttyUSB0 19200 8N1"

 private:
  template <typename Request>
  RelayWrite call(int unit, const std::string& what, Request request);
  bool connectLocked(std::string& error);  // mutex_ held
  void closeLocked();

  LinkSettings settings_;
  mutable std::mutex mutex_;
  modbus_t* ctx_ = nullptr;
  bool connected_ = false;
  std::string lastError_ = "not connected yet";
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point nextAttempt_{};
};

// A barrier's "open" contact on a Modbus device: a coil (written 1/0) or a holding register
// (written on_value/off_value), optionally checked first against a "barrier closed" discrete
// input (step-by-step wiring, where a pulse on an open barrier would close it).
struct RelaySpec {
  enum class Kind { Coil, Register };
  Kind kind = Kind::Coil;
  int unit = 1;
  int address = 0;
  int onValue = 1;
  int offValue = 0;
  std::optional<int> closedInput;
};

class ModbusRelay : public RelayOutput {
 public:
  ModbusRelay(std::shared_ptr<ModbusLink> link, RelaySpec spec);
  RelayWrite write(bool on) override;
  RelayWrite precheck() override;
  std::string describe() const override;

 private:
  std::shared_ptr<ModbusLink> link_;
  RelaySpec spec_;
};

}  // namespace lpr::plugins::sink_barrier_modbus
