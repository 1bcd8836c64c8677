#include "sink_barrier_modbus.h"

#include <Poco/Logger.h>

#include "metrics/metrics.h"

namespace lpr::plugins::sink_barrier_modbus {

const PluginDescriptor kDescriptor{
    "sink_barrier_modbus", PluginKind::Sink,
    "Opens barriers over Modbus TCP/RTU: a granted decision pulses the access point's coil or "
    "register; stale grants and replays after a restart never pulse; interlock groups",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SinkBarrierModbus>(); }};

SinkBarrierModbus::SinkBarrierModbus(BarrierController::WallClock now) : now_(std::move(now)) {}

SinkBarrierModbus::~SinkBarrierModbus() { stop(); }

void SinkBarrierModbus::configure(PluginContext& ctx) {
  ConfigReader& config = ctx.config();
  settings_.mode = config.getEnum("mode", "tcp", {"tcp", "rtu"});
  // Every key is read in both modes so that none is reported unknown; the other mode's are unused.
  const std::string host = config.getString("host", "");
  settings_.port = static_cast<int>(config.getInt("port", 502, 1, 65535));
  const std::string device = config.getString("device", "");
  settings_.baud = static_cast<int>(config.getInt("baud", 19200, 300, 4000000));
  settings_.parity = config.getEnum("parity", "N", {"N", "E", "O"})[0];
  settings_.dataBits = static_cast<int>(config.getInt("data_bits", 8, 5, 8));
  settings_.stopBits = static_cast<int>(config.getInt("stop_bits", 1, 1, 2));
  if (settings_.mode == "tcp") {
    settings_.host = config.requireString("host");
  } else {
    settings_.host = host;
    settings_.device = config.requireString("device");
  }
  if (settings_.mode == "rtu" || !device.empty()) settings_.device = device;
  settings_.timeout = std::chrono::milliseconds(config.getInt("timeout_ms", 500, 10, 60000));
  settings_.reconnectMin =
      std::chrono::milliseconds(config.getInt("reconnect_min_ms", 100, 10, 60000));
  settings_.reconnectMax =
      std::chrono::milliseconds(config.getInt("reconnect_max_ms", 1000, 10, 600000));
  if (settings_.reconnectMax < settings_.reconnectMin) {
    config.problem(
        "reconnect_max_ms", std::to_string(settings_.reconnectMax.count()),
        "at least reconnect_min_ms (" + std::to_string(settings_.reconnectMin.count()) + ")");
  }

  link_ = std::make_shared<ModbusLink>(settings_);
  std::map<int, BarrierController::Relay> relays;
  for (int point : configuredAccessPoints(config)) {
    const std::string ap = "ap." + std::to_string(point) + ".";
    RelaySpec spec;
    spec.kind = config.getEnum(ap + "kind", "coil", {"coil", "register"}) == "register"
                    ? RelaySpec::Kind::Register
                    : RelaySpec::Kind::Coil;
    spec.unit = static_cast<int>(config.getInt(ap + "unit", 1, 0, 247));
    spec.address = static_cast<int>(config.getInt(ap + "address", -1, 0, 65535));
    if (!config.has(ap + "address")) {
      config.problems().add(config.fullKey(ap + "address") +
                            " is missing: the coil or register that opens access point " +
                            std::to_string(point));
    }
    spec.onValue = static_cast<int>(config.getInt(ap + "on_value", 1, 0, 65535));
    spec.offValue = static_cast<int>(config.getInt(ap + "off_value", 0, 0, 65535));
    if (spec.kind == RelaySpec::Kind::Coil &&
        (config.has(ap + "on_value") || config.has(ap + "off_value"))) {
      config.problem(ap + "kind", "coil",
                     "register when on_value/off_value are set (a coil is written 1 and 0)");
    }
    if (spec.kind == RelaySpec::Kind::Register && spec.onValue == spec.offValue) {
      config.problem(ap + "on_value", std::to_string(spec.onValue), "a value other than off_value");
    }
    if (config.has(ap + "closed_input")) {
      spec.closedInput = static_cast<int>(config.getInt(ap + "closed_input", 0, 0, 65535));
    }
    specs_[point] = spec;
    relays[point] = {std::make_shared<ModbusRelay>(link_, spec), std::nullopt};
  }
  configureBarrier(ctx, std::move(relays), now_);

  std::weak_ptr<ModbusLink> weak = link_;
  ctx.metrics().gauge("lpr_barrier_connected", "1 while the barrier's Modbus link is connected",
                      {{"plugin", ctx.instanceId()}}, [weak] {
                        auto link = weak.lock();
                        return link && link->connected() ? 1.0 : 0.0;
                      });
}

StartResult SinkBarrierModbus::startTransport() {
  // An unreachable device does not stop the start: deliveries return Retry until it answers,
  // and the age rule drops the grants that expire meanwhile.
  std::string error = link_->connect();
  if (error.empty()) {
    ctx_->logger().information("connected to %s", link_->peer());
  } else {
    ctx_->logger().warning("%s; grants are retried until it answers or they expire", error);
  }
  return StartResult::ok();
}

void SinkBarrierModbus::stopTransport() noexcept {
  if (link_) link_->close();
}

void SinkBarrierModbus::describeTransport(std::ostream& out) const {
  out << (link_ ? link_->peer() : settings_.mode) << " timeout_ms=" << settings_.timeout.count();
  for (const auto& [point, spec] : specs_) {
    out << " ap." << point << "=" << (spec.kind == RelaySpec::Kind::Coil ? "coil:" : "register:")
        << spec.unit << "/" << spec.address;
    if (spec.kind == RelaySpec::Kind::Register)
      out << "(" << spec.onValue << "/" << spec.offValue << ")";
    if (spec.closedInput) out << " closed_input=" << *spec.closedInput;
  }
}

Health SinkBarrierModbus::health() const {
  if (!link_) return Health::failed("not configured");
  if (link_->connected()) return Health::ok("connected to " + link_->peer());
  return Health::unreachable("not connected to " + link_->peer() + ": " + link_->lastError());
}

}  // namespace lpr::plugins::sink_barrier_modbus
