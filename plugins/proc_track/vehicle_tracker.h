#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>

#include "bus/plate_event.h"

namespace lpr::plugins::proc_track {

struct TrackerOptions {
  // Reads of one vehicle closer together than this belong to one pass (a parked car re-read
  // all day stays one pass as long as it is seen at least this often).
  std::chrono::milliseconds window{10000};
  // After a pass started, the same plate at the same access point is not decided again for this
  // long, even as a new pass (a car that backs up and comes again).
  std::chrono::milliseconds cooldown{30000};
  // Plates that differ in at most this many characters (edits) are the same vehicle when no
  // vendor vehicle id tells: OCR refinements of one plate.
  int maxEdits = 1;
  // Reads less sure than this never start a pass (0: every read may; a read without a
  // confidence counts as sure, as the 2N format has none).
  double minConfidence = 0;
  // A repeat that reads the plate differently and better (see VehicleTracker) goes on as a
  // refinement of the first event, at most this many times per pass (0: never).
  int maxUpdates = 3;
};

struct TrackDecision {
  enum class Kind { First, Refinement, Repeat, Cooldown, Unsure };
  Kind kind = Kind::First;
  std::string firstEventId;  // the read that started the pass (all but First and Unsure)
};
std::string toString(TrackDecision::Kind kind);

// One vehicle → one decision. The first sure read of a vehicle starts a pass and goes on to be
// decided; the reads that follow within the window (same vendor vehicle id from the same
// source, or, without one, a similar plate from the same source) are repeats, and a new pass
// of the same plate at the same access point within the cooldown is held back too.
//
// A repeat that reads the plate differently is a refinement when it is better: with the same
// vendor vehicle id the later text wins (ALPV UPDATE, 2N lprID); matched by plate similarity
// only, it must be more confident than the text it replaces. Refinements carry the first
// event's id and never start a decision of their own. Pure: the
// caller gives the time; not thread-safe (the pipeline runs processors one at a time).
class VehicleTracker {
 public:
  explicit VehicleTracker(TrackerOptions options) : options_(options) {}
  TrackDecision observe(const PlateEvent& read, std::chrono::steady_clock::time_point now);
  std::size_t passes() const { return passes_.size(); }

  // Edits (insert, delete, replace) to turn a into b, stopping early beyond `limit`.
  static int editDistance(const std::string& a, const std::string& b, int limit);

 private:
  struct Pass {
    std::string source;
    std::string vehicleId;
    std::string plate;  // the best text so far
    std::optional<double> confidence;
    int updates = 0;
    int accessPoint = 0;
    std::string firstEventId;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point lastSeen;
  };
  bool sameVehicle(const Pass& pass, const PlateEvent& read) const;
  bool refines(const Pass& pass, const PlateEvent& read) const;
  void forgetOld(std::chrono::steady_clock::time_point now);

  TrackerOptions options_;
  std::list<Pass> passes_;  // newest first
};

}  // namespace lpr::plugins::proc_track
