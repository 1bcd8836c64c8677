#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

#include "device_watch.h"
#include "plugin/plugin.h"
#include "two_n_client.h"
#include "two_n_connection_config.h"
#include "two_n_request.h"

namespace lpr {
class Counter;
class Histogram;
}  // namespace lpr

namespace lpr::plugins::sink_2n {

extern const PluginDescriptor kDescriptor;

struct Settings {
  std::string host;  // as configured: host[:port]
  TwoNClientOptions client;
  std::size_t maxImageChars = kMaxPlateImageChars;  // max_image_bytes; 0: no images
  std::map<std::string, int> accessPoints;          // access_point.<source id>
  std::chrono::milliseconds slow{1000};
  DeviceWatchOptions watch;  // verdicts and the directory mirror
};

// Forwards every event to one 2N device as POST /api/lpr/licenseplate, the request a camera app
// in "2N mode" would send, so that the device looks the plate up in its directory, applies its
// access rules and opens its door or gate. `Ok` means the device accepted the read; its verdict
// comes from the device log (DeviceWatch) and is handed to the core's decision stage.
//
// Outcomes: success → Ok; no answer, timeouts, HTTP 408/429/5xx → Retry; a refused value
// (2N 11/12/13, other HTTP 4xx) → Reject; a refusal that every read would get (credentials,
// privileges, disabled service, HTTPS required, certificate) → Reject for the read that met it,
// health Failed, and later reads Retry after a long pause (configErrorHold) instead of hammering
// the device, so they are kept until an operator fixes the setup.
class Sink2n : public Sink {
 public:
  Sink2n();
  ~Sink2n() override;

  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  Stream stream() const override { return Stream::Reads; }
  void describe(std::ostream& out) const override;
  Health health() const override;
  Delivery deliver(const PlateEvent& event) override;

  const Settings& settings() const { return settings_; }
  // What start() learnt from /api/system/info.
  std::optional<FirmwareVersion> firmware() const;
  std::string deviceName() const;
  // Verdicts and the mirror; null before the first successful start().
  const DeviceWatch* watch() const { return watch_.get(); }
  // How long deliveries are held after a setup error (60 s); tests shorten it.
  void setConfigErrorHold(std::chrono::milliseconds hold);

  // How one answer is handled (exposed for tests).
  struct Verdict {
    enum class Kind { Ok, Retry, Reject, Setup, Unknown };
    Kind kind = Kind::Ok;
    std::string code;  // lpr_2n_errors_total label; empty for Ok
    std::string why;   // one line, naming the fix where there is one
  };
  Verdict classify(const TwoNReply& reply) const;

 private:
  enum class Link { Ok, Slow, Unreachable, Failed };
  struct Prepared {
    std::string eventId;
    LprRequest request;
    PreparedImage::Status image = PreparedImage::Status::None;
  };

  std::variant<Prepared, LprRequestError> prepare(const PlateEvent& event);
  std::string loadImage(const std::string& path);  // empty when unreadable (counted, logged)
  Delivery outcome(const PlateEvent& event, const TwoNReply& reply);
  // Records the state of the link after an answer or a failure; logs changes once.
  void noteAnswer(const TwoNReply& reply);
  void setLink(Link link, const std::string& detail);
  void countError(const std::string& code);
  std::shared_ptr<TwoNClient> client() const;
  std::string setupFix(int code) const;
  std::string key(const std::string& name) const;
  // Tells the decision stage whether this device can give verdicts now (link and log channel).
  void publishAvailability();
  Health linkHealth() const;

  PluginContext* ctx_ = nullptr;
  Settings settings_;
  Histogram* latency_ = nullptr;
  Counter* imagesDropped_ = nullptr;
  Counter* imagesReencoded_ = nullptr;

  std::mutex deliverMutex_;  // one delivery at a time (the host has one worker per sink anyway)
  std::optional<Prepared> cache_;  // the last event's body: a retried event is not re-encoded
  std::string lastImageProblem_;
  std::string unknownEventId_;  // attempts of the current event that got an unknown error
  int unknownAttempts_ = 0;
  bool setupFailing_ = false;  // a setup refusal was met and nothing was accepted since

  mutable std::mutex mutex_;  // guards what follows
  std::shared_ptr<TwoNClient> client_;
  bool started_ = false;
  Link link_ = Link::Ok;
  std::string linkDetail_;
  std::chrono::steady_clock::time_point heldUntil_{};
  std::chrono::milliseconds configErrorHold_{std::chrono::seconds(60)};
  std::optional<FirmwareVersion> firmware_;
  std::string swVersion_;
  std::string deviceName_;
  bool includeLprIdAndDir_ = true;
  bool logAvailable_ = true;
  std::optional<bool> publishedAvailable_;

  std::unique_ptr<DeviceWatch> watch_;
};

}  // namespace lpr::plugins::sink_2n
