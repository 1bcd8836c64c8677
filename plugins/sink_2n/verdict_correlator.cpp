#include "verdict_correlator.h"

#include <Poco/Dynamic/Var.h>

#include <algorithm>
#include <cctype>

namespace lpr::plugins::sink_2n {

namespace {

// `session` is an integer on the devices seen so far; the type is not documented, so any
// scalar is taken as text.
std::optional<std::string> scalarText(const Poco::JSON::Object::Ptr& params, const char* key) {
  if (!params->has(key)) return std::nullopt;
  Poco::Dynamic::Var value = params->get(key);
  if (value.isEmpty()) return std::nullopt;
  try {
    std::string text = value.convert<std::string>();
    if (text.empty()) return std::nullopt;
    return text;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::optional<bool> boolean(const Poco::JSON::Object::Ptr& params, const char* key) {
  if (!params->has(key)) return std::nullopt;
  Poco::Dynamic::Var value = params->get(key);
  try {
    if (value.isBoolean()) return value.extract<bool>();
    if (value.isNumeric()) return value.convert<int>() != 0;
    if (value.isString()) {
      std::string text = value.extract<std::string>();
      if (text == "true") return true;
      if (text == "false") return false;
    }
  } catch (const Poco::Exception&) {
  }
  return std::nullopt;
}

}  // namespace

std::string VerdictCorrelator::plateKey(const std::string& plate) {
  std::string key;
  key.reserve(plate.size());
  for (unsigned char c : plate) {
    if (c == ' ') continue;
    key.push_back(static_cast<char>(std::toupper(c)));
  }
  return key;
}

std::optional<Decision> VerdictCorrelator::decisionOf(const TwoNLogEvent& record,
                                                      TimePoint wallNow) {
  std::optional<bool> valid = boolean(record.params, "valid");
  if (!valid) return std::nullopt;
  Decision d;
  d.valid = *valid;
  d.uuid = scalarText(record.params, "uuid");
  d.session = scalarText(record.params, "session");
  d.decidedBy = "2n";
  d.decidedAt = wallNow;
  if (d.valid) {
    d.reason = "2N device: valid";
  } else if (d.uuid) {
    d.reason = "2N device: a user's plate, not valid now";
  } else {
    d.reason = "2N device: plate of no user";
  }
  return d;
}

void VerdictCorrelator::sent(ForwardedRead read) {
  read.plateText = plateKey(read.plateText);
  reads_.push_back(std::move(read));
}

void VerdictCorrelator::unsent(const std::string& eventId) {
  auto it = std::find_if(reads_.rbegin(), reads_.rend(),
                         [&](const ForwardedRead& r) { return r.eventId == eventId; });
  if (it != reads_.rend()) reads_.erase(std::next(it).base());
}

std::optional<CorrelatedVerdict> VerdictCorrelator::recognized(
    const TwoNLogEvent& record, std::chrono::steady_clock::time_point now, TimePoint wallNow) {
  if (record.event != "LicensePlateRecognized") return std::nullopt;
  std::optional<Decision> decision = decisionOf(record, wallNow);
  if (!decision) return std::nullopt;
  const std::string plate = plateKey(record.params->optValue<std::string>("licensePlate", ""));
  std::optional<int> ap;
  try {
    if (record.params->has("ap")) ap = record.params->get("ap").convert<int>();
  } catch (const Poco::Exception&) {
  }
  for (auto it = reads_.begin(); it != reads_.end(); ++it) {
    if (now - it->sentAt > window_) continue;
    if (it->plateText != plate || (ap && *ap != it->accessPoint)) continue;
    CorrelatedVerdict out{it->eventId, *decision, now - it->sentAt};
    reads_.erase(it);
    return out;
  }
  return std::nullopt;
}

std::size_t VerdictCorrelator::expire(std::chrono::steady_clock::time_point now) {
  std::size_t gone = 0;
  while (!reads_.empty() && now - reads_.front().sentAt > window_) {
    reads_.pop_front();
    ++gone;
  }
  return gone;
}

}  // namespace lpr::plugins::sink_2n
