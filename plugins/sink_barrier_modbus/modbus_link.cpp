#include "modbus_link.h"

#include <modbus.h>

#include <algorithm>
#include <cerrno>

namespace lpr::plugins::sink_barrier_modbus {
namespace {

bool refusedException(int error) {
  return error == EMBXILFUN || error == EMBXILADD || error == EMBXILVAL;
}

bool anyException(int error) { return error > MODBUS_ENOBASE && error <= EMBXGTAR; }

}  // namespace

ModbusLink::ModbusLink(LinkSettings settings)
    : settings_(std::move(settings)), backoff_(settings_.reconnectMin) {}

ModbusLink::~ModbusLink() {
  std::lock_guard lock(mutex_);
  closeLocked();
  if (ctx_) modbus_free(ctx_);
  ctx_ = nullptr;
}

std::string ModbusLink::peer() const {
  if (settings_.mode == "rtu") {
    return "rtu " + settings_.device + " " + std::to_string(settings_.baud) + " " +
           std::to_string(settings_.dataBits) + settings_.parity +
           std::to_string(settings_.stopBits);
  }
  return "tcp " + settings_.host + ":" + std::to_string(settings_.port);
}

bool ModbusLink::connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

std::string ModbusLink::lastError() const {
  std::lock_guard lock(mutex_);
  return lastError_;
}

std::string ModbusLink::connect() {
  std::lock_guard lock(mutex_);
  std::string error;
  if (!connected_) connectLocked(error);
  return error;
}

void ModbusLink::close() {
  std::lock_guard lock(mutex_);
  closeLocked();
}

void ModbusLink::closeLocked() {
  if (ctx_ && connected_) modbus_close(ctx_);
  connected_ = false;
}

bool ModbusLink::connectLocked(std::string& error) {
  if (!ctx_) {
    ctx_ = settings_.mode == "rtu"
               ? modbus_new_rtu(settings_.device.c_str(), settings_.baud, settings_.parity,
                                settings_.dataBits, settings_.stopBits)
               : modbus_new_tcp(settings_.host.c_str(), settings_.port);
    if (!ctx_) {
      error = "cannot create a Modbus context for " + peer() + ": " + modbus_strerror(errno);
      lastError_ = error;
      return false;
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(settings_.timeout);
    modbus_set_response_timeout(ctx_, static_cast<uint32_t>(us.count() / 1000000),
                                static_cast<uint32_t>(us.count() % 1000000));
  }
  const auto now = std::chrono::steady_clock::now();
  if (modbus_connect(ctx_) != 0) {
    error = "cannot connect to " + peer() + ": " + modbus_strerror(errno);
    lastError_ = error;
    nextAttempt_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.reconnectMax);
    return false;
  }
  connected_ = true;
  backoff_ = settings_.reconnectMin;
  return true;
}

template <typename Request>
RelayWrite ModbusLink::call(int unit, const std::string& what, Request request) {
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    if (!connected_) {
      const auto now = std::chrono::steady_clock::now();
      if (attempt == 0 && now < nextAttempt_) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(nextAttempt_ - now).count();
        return RelayWrite::unreachable(lastError_ + " (next attempt in " + std::to_string(wait) +
                                       " ms)");
      }
      std::string error;
      if (!connectLocked(error)) return RelayWrite::unreachable(error);
      fresh = true;
    }
    modbus_set_slave(ctx_, unit);
    if (request(ctx_) >= 0) {
      lastError_.clear();
      return RelayWrite::ok();
    }
    const int error = errno;
    const std::string text =
        what + " on " + peer() + " unit " + std::to_string(unit) + ": " + modbus_strerror(error);
    if (refusedException(error)) return RelayWrite::refused(text);
    lastError_ = text;
    if (anyException(error)) return RelayWrite::unreachable(text);  // busy, gateway target...
    closeLocked();
    // A connection that had been open may have died while idle: one more try on a new one.
    if (fresh) return RelayWrite::unreachable(text);
  }
  return RelayWrite::unreachable(lastError_);
}

RelayWrite ModbusLink::writeCoil(int unit, int address, bool on) {
  return call(unit, "write coil " + std::to_string(address),
              [&](modbus_t* ctx) { return modbus_write_bit(ctx, address, on ? 1 : 0); });
}

RelayWrite ModbusLink::writeRegister(int unit, int address, int value) {
  return call(unit, "write register " + std::to_string(address), [&](modbus_t* ctx) {
    return modbus_write_register(ctx, address, static_cast<uint16_t>(value));
  });
}

RelayWrite ModbusLink::readDiscreteInput(int unit, int address, bool& value) {
  return call(unit, "read discrete input " + std::to_string(address), [&](modbus_t* ctx) {
    uint8_t bit = 0;
    int rc = modbus_read_input_bits(ctx, address, 1, &bit);
    value = bit != 0;
    return rc;
  });
}

ModbusRelay::ModbusRelay(std::shared_ptr<ModbusLink> link, RelaySpec spec)
    : link_(std::move(link)), spec_(spec) {}

RelayWrite ModbusRelay::write(bool on) {
  if (spec_.kind == RelaySpec::Kind::Coil) return link_->writeCoil(spec_.unit, spec_.address, on);
  return link_->writeRegister(spec_.unit, spec_.address, on ? spec_.onValue : spec_.offValue);
}

RelayWrite ModbusRelay::precheck() {
  if (!spec_.closedInput) return RelayWrite::ok();
  bool closed = false;
  RelayWrite result = link_->readDiscreteInput(spec_.unit, *spec_.closedInput, closed);
  if (result.kind != RelayWrite::Kind::Ok) return result;
  if (!closed) {
    return RelayWrite::skip("closed input " + std::to_string(*spec_.closedInput) +
                            " reads 0: the barrier is open");
  }
  return RelayWrite::ok();
}

std::string ModbusRelay::describe() const {
  std::string out = spec_.kind == RelaySpec::Kind::Coil ? "coil " : "register ";
  out += std::to_string(spec_.address) + " unit " + std::to_string(spec_.unit) + " on " +
         link_->peer();
  return out;
}

}  // namespace lpr::plugins::sink_barrier_modbus
