#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "bus/plate_event.h"
#include "two_n_log_reader.h"

namespace lpr::plugins::sink_2n {

// A read handed to the device, waiting for its LicensePlateRecognized log record.
struct ForwardedRead {
  std::string eventId;
  std::string plateText;  // as sent in the request
  int accessPoint = 0;
  std::chrono::steady_clock::time_point sentAt{};
};

struct CorrelatedVerdict {
  std::string eventId;
  Decision decision;
  std::chrono::steady_clock::duration latency{};  // from sending the read to its verdict
};

// Pairs the device's LicensePlateRecognized records with the reads the gateway forwarded. The
// record carries no lprUuid (2n-http-api.md §3), so a record matches the oldest unanswered read
// with the same plate (spaces and case ignored, as the device compares) and access point sent
// within `window` before it. Reads are registered before they are sent: the device may log the
// record before its HTTP answer reaches us. Pure; the caller serialises access.
class VerdictCorrelator {
 public:
  explicit VerdictCorrelator(std::chrono::milliseconds window) : window_(window) {}

  void sent(ForwardedRead read);
  // The device did not take the read (no answer, refused): no record will come for it.
  void unsent(const std::string& eventId);
  // A LicensePlateRecognized record; nullopt when no forwarded read matches (a camera that
  // talks to the device directly, or a read whose window passed).
  std::optional<CorrelatedVerdict> recognized(const TwoNLogEvent& record,
                                              std::chrono::steady_clock::time_point now,
                                              TimePoint wallNow);
  // Forgets reads whose window passed; returns how many went unanswered.
  std::size_t expire(std::chrono::steady_clock::time_point now);
  std::size_t waiting() const { return reads_.size(); }

  // "ab 12 cd" → "AB12CD".
  static std::string plateKey(const std::string& plate);
  // The decision a LicensePlateRecognized record states; nullopt when it has no `valid`.
  static std::optional<Decision> decisionOf(const TwoNLogEvent& record, TimePoint wallNow);

 private:
  std::chrono::milliseconds window_;
  std::deque<ForwardedRead> reads_;  // in sending order
};

}  // namespace lpr::plugins::sink_2n
