#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bus/plate_event.h"
#include "config/config_reader.h"

namespace Poco {
class Logger;
}

namespace lpr {

class HttpRouter;
class Metrics;
class Ingest;
class VerdictBoard;
class GateControl;
class EventStore;

enum class PluginKind { Source, Processor, Sink };

struct Health {
  // Unreachable: the peer does not answer (kept work waits); Failed: it refuses the setup.
  enum class State { Ok, Degraded, Unreachable, Failed };
  State state = State::Ok;
  std::string detail;
  static Health ok(std::string detail = {}) { return {State::Ok, std::move(detail)}; }
  static Health degraded(std::string why) { return {State::Degraded, std::move(why)}; }
  static Health unreachable(std::string why) { return {State::Unreachable, std::move(why)}; }
  static Health failed(std::string why) { return {State::Failed, std::move(why)}; }
};
std::string toString(Health::State state);

struct StartResult {
  enum class Kind { Ok, RetryLater, Fatal };
  Kind kind = Kind::Ok;
  std::string why;
  static StartResult ok() { return {}; }
  static StartResult retryLater(std::string why) { return {Kind::RetryLater, std::move(why)}; }
  static StartResult fatal(std::string why) { return {Kind::Fatal, std::move(why)}; }
};

// Outcome of one delivery attempt; the host owns retries, cursors and backoff.
struct Delivery {
  enum class Kind { Ok, Retry, Reject };
  Kind kind = Kind::Ok;
  std::string why;
  std::chrono::milliseconds after{0};  // Retry: earliest next attempt (0 = host backoff)
  static Delivery ok() { return {}; }
  static Delivery retry(std::string why, std::chrono::milliseconds after = {}) {
    return {Kind::Retry, std::move(why), after};
  }
  static Delivery reject(std::string why) { return {Kind::Reject, std::move(why)}; }
};

struct Verdict {
  bool keep = true;
  std::string why;
  static Verdict pass() { return {}; }
  static Verdict drop(std::string why) { return {false, std::move(why)}; }
};

// Everything a plugin may touch; no globals.
class PluginContext {
 public:
  virtual ~PluginContext() = default;
  virtual const std::string& instanceId() const = 0;
  virtual Poco::Logger& logger() const = 0;  // "lpr.plugin.<id>"
  virtual ConfigReader& config() = 0;        // view of plugin.<id>.*
  virtual HttpRouter& http() = 0;            // the shared server; sources add routes
  virtual Ingest& ingest() = 0;              // sources hand events to the core here
  virtual Metrics& metrics() = 0;
  virtual VerdictBoard& verdicts() = 0;  // authorities (sink_2n) report verdicts here
  virtual GateControl& gates() = 0;      // barriers offer manual opening; MQTT commands ask
  virtual const std::string& gatewayId() const = 0;
  // storage.directory: where a plugin keeps state of its own (a directory mirror), one file
  // per instance named after its id.
  virtual const std::string& dataDirectory() const = 0;
  // The decided events (the access log), for queries; null under --validate.
  virtual EventStore* decisionLog() = 0;
  virtual std::string maskPlate(const std::string& plate) const = 0;  // per log.plate
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  // Parse and validate through ctx.config(); no I/O. Problems are recorded in the reader.
  virtual void configure(PluginContext& ctx) = 0;
  // May be called again after RetryLater.
  virtual StartResult start() { return StartResult::ok(); }
  virtual void stop() noexcept {}
  virtual void describe(std::ostream& out) const {}
  virtual Health health() const { return Health::ok(); }
  // SIGHUP (systemctl reload), on a started instance: take up what can change without a
  // restart, from `config` (plugin.<id>.* as the files say now) or the plugin's own files. A
  // problem recorded in `config` must leave the running setup as it was. Events keep flowing.
  virtual void reload(ConfigReader& config) {}
};

class Source : public Plugin {};

class Processor : public Plugin {
 public:
  // Runs on the ingest path, in configured order, before the event is committed: keep it fast.
  virtual Verdict process(PlateEvent& event) = 0;
};

// The two durable streams a sink can consume: every accepted read as the sources gave it, or
// every read once decided (the 2N verdict, or whatever decided it when no verdict came in time).
enum class Stream { Reads, Decisions };
std::string toString(Stream stream);

class Sink : public Plugin {
 public:
  // Forwarders to an access authority consume reads; everything that acts on or reports the
  // decision (barrier, MQTT) consumes decisions.
  virtual Stream stream() const { return Stream::Decisions; }
  virtual Delivery deliver(const PlateEvent& event) = 0;
  // Sinks with pipelined confirmations (MQTT PUBACK) override this to keep several in flight.
  // Outcomes are returned in the order of the events.
  virtual std::vector<Delivery> deliverBatch(const std::vector<PlateEvent>& events);
  // Largest batch the host should hand to deliverBatch.
  virtual std::size_t maxBatch() const { return 1; }
};

struct PluginDescriptor {
  std::string_view name;  // == folder name == `type` in config
  PluginKind kind;
  std::string_view summary;
  std::unique_ptr<Plugin> (*create)();
};

}  // namespace lpr
