#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace lpr {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Movement of the vehicle as the source saw it; 2N `lprDir` 0/1 both map to Unknown.
enum class Direction { Unknown, In, Out };

std::string toString(Direction direction);
std::optional<Direction> directionFromString(const std::string& text);

// Who decided and what; filled by processors (proc_authorize) or by a 2N verdict.
struct Decision {
  bool valid = false;
  std::optional<std::string> uuid;  // 2N user uuid; absent when the plate is nobody's
  std::optional<std::string> userName;
  std::optional<std::string> session;  // 2N authentication session id
  std::string decidedBy;               // "2n" | "local_fallback" | "list" | "policy"
  std::string reason;
  TimePoint decidedAt{};
};

// The one event type that flows from sources through processors to sinks.
// Images travel as spool paths, never as bytes.
struct PlateEvent {
  std::int64_t seq = 0;              // store sequence; 0 until committed
  std::string id;                    // gateway-assigned UUID
  std::string sourceId;              // plugin instance that produced it
  std::string sourceEventId;         // the vendor's id of this read (2N lprUuid); idempotency key
  std::string vehicleId;             // the vendor's id of the vehicle/track (2N lprID, ALPV carID)
  // Set on a refinement (a better text or confidence for a vehicle already decided): the id of
  // the vehicle's first event. It carries that event's decision and never opens anything again.
  std::string updateOf;
  std::string plateRaw;              // text exactly as received
  std::string plate;                 // normalized text
  std::string country;               // ISO code when known
  std::optional<double> confidence;  // 0..1 when the source gives one
  Direction direction = Direction::Unknown;
  int accessPoint = 0;     // 0 entry, 1 exit
  TimePoint capturedAt{};  // UTC
  TimePoint receivedAt{};  // UTC, set by the core on ingest
  std::string imagePath;   // spooled snapshot, empty when none
  std::optional<Decision> decision;
  std::map<std::string, std::string> attributes;  // vendor extras worth keeping
};

// The documented JSON form (README "Event JSON"); round-trips through the store.
std::string toJson(const PlateEvent& event);
PlateEvent plateEventFromJson(const std::string& json);  // throws Poco::Exception on bad input

std::string formatUtc(TimePoint time);  // 2026-11-24T20:30:06.123Z
std::optional<TimePoint> parseUtc(const std::string& text);
std::string newUuid();

}  // namespace lpr
