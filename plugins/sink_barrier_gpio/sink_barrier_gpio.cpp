#include "sink_barrier_gpio.h"

#include <Poco/Logger.h>
#include <gpiod.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace lpr::plugins::sink_barrier_gpio {

const PluginDescriptor kDescriptor{
    "sink_barrier_gpio", PluginKind::Sink,
    "Opens barriers through GPIO output lines (libgpiod): a granted decision pulses the access "
    "point's line; stale grants and replays after a restart never pulse; interlock groups",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SinkBarrierGpio>(); }};

// One requested output line; without a request (not started) writes are Unreachable.
class GpioRelay : public RelayOutput {
 public:
  explicit GpioRelay(int offset) : offset_(offset) {}
  void attach(gpiod_line* line) {
    std::lock_guard lock(mutex_);
    line_ = line;
  }
  RelayWrite write(bool on) override {
    std::lock_guard lock(mutex_);
    if (!line_)
      return RelayWrite::unreachable("GPIO line " + std::to_string(offset_) + " not requested");
    if (gpiod_line_set_value(line_, on ? 1 : 0) != 0) {
      return RelayWrite::unreachable("cannot set GPIO line " + std::to_string(offset_) + ": " +
                                     std::strerror(errno));
    }
    return RelayWrite::ok();
  }
  std::string describe() const override { return "GPIO line " + std::to_string(offset_); }

 private:
  std::mutex mutex_;
  int offset_;
  gpiod_line* line_ = nullptr;
};

SinkBarrierGpio::SinkBarrierGpio(BarrierController::WallClock now) : now_(std::move(now)) {}

SinkBarrierGpio::~SinkBarrierGpio() { stop(); }

void SinkBarrierGpio::configure(PluginContext& ctx) {
  ConfigReader& config = ctx.config();
  chip_ = config.getString("chip", chip_);
  if (chip_.empty()) config.problem("chip", chip_, "a chip name (gpiochip0), path or label");
  std::map<int, BarrierController::Relay> relays;
  for (int point : configuredAccessPoints(config)) {
    const std::string ap = "ap." + std::to_string(point) + ".";
    LineSpec spec;
    spec.line = static_cast<int>(config.getInt(ap + "line", -1, 0, 1023));
    if (!config.has(ap + "line")) {
      config.problems().add(config.fullKey(ap + "line") +
                            " is missing: the line offset that opens access point " +
                            std::to_string(point));
    }
    spec.activeLow = config.getBool(ap + "active_low", false);
    specs_[point] = spec;
    relays_[point] = std::make_shared<GpioRelay>(spec.line);
    relays[point] = {relays_[point], std::nullopt};
  }
  configureBarrier(ctx, std::move(relays), now_);
}

StartResult SinkBarrierGpio::startTransport() {
  stopTransport();
  const std::string first =
      specs_.empty() ? std::string()
                     : " (line " + std::to_string(specs_.begin()->second.line) +
                           " for access point " + std::to_string(specs_.begin()->first) + ")";
  handle_ = gpiod_chip_open_lookup(chip_.c_str());
  if (!handle_) {
    lastError_ = "cannot open GPIO chip " + chip_ + first + ": " + std::strerror(errno);
    return StartResult::retryLater(lastError_);
  }
  const unsigned lines = gpiod_chip_num_lines(handle_);
  const std::string consumer = "lpr-gateway:" + ctx_->instanceId();
  for (const auto& [point, spec] : specs_) {
    const std::string which =
        "line " + std::to_string(spec.line) + " for access point " + std::to_string(point);
    if (static_cast<unsigned>(spec.line) >= lines) {
      lastError_ = "GPIO chip " + chip_ + " has " + std::to_string(lines) + " lines, no " + which;
      stopTransport();
      return StartResult::fatal(lastError_);
    }
    gpiod_line* line = gpiod_chip_get_line(handle_, static_cast<unsigned>(spec.line));
    const int flags = spec.activeLow ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    if (!line || gpiod_line_request_output_flags(line, consumer.c_str(), flags, 0) != 0) {
      // EBUSY: another program holds the line; it may let go.
      lastError_ =
          "cannot request GPIO chip " + chip_ + " " + which + " as output: " + std::strerror(errno);
      stopTransport();
      return StartResult::retryLater(lastError_);
    }
    relays_.at(point)->attach(line);
  }
  lastError_.clear();
  ctx_->logger().information("GPIO chip %s: %d line(s) requested as outputs", chip_,
                             static_cast<int>(specs_.size()));
  return StartResult::ok();
}

void SinkBarrierGpio::stopTransport() noexcept {
  for (auto& [point, relay] : relays_) relay->attach(nullptr);
  // Closing the chip releases its requested lines (they keep their last value: off).
  if (handle_) gpiod_chip_close(handle_);
  handle_ = nullptr;
}

void SinkBarrierGpio::describeTransport(std::ostream& out) const {
  out << "chip=" << chip_;
  for (const auto& [point, spec] : specs_) {
    out << " ap." << point << "=line:" << spec.line << (spec.activeLow ? "(active_low)" : "");
  }
}

Health SinkBarrierGpio::health() const {
  if (handle_) return Health::ok("GPIO chip " + chip_);
  return Health::failed(lastError_.empty() ? "GPIO chip not open" : lastError_);
}

}  // namespace lpr::plugins::sink_barrier_gpio
