#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <opencv2/core/types.hpp>
#include <string>
#include <vector>

namespace lpr::plugins::source_rtsp {

using SteadyTime = std::chrono::steady_clock::time_point;

// One plate read in one analysed frame.
struct PlateObservation {
  std::string text;
  float confidence = 0.0f;
  cv::Rect box;
};

struct VoteOptions {
  // The first read of a vehicle at or above this is published at once.
  float minConfidence = 0.5f;
  // A vehicle not read for this long has left; a later read starts a new vehicle.
  std::chrono::milliseconds vehicleTimeout{2000};
  // A read this close (edits) to a vehicle's leading text is that vehicle even where the boxes
  // do not touch (the detector lost the plate for a frame or two).
  int maxEdits = 2;
  // A text replaces the published one only once its votes exceed the published text's by this
  // much (about one more sure read): two close readings (O/D) would otherwise flip back and
  // forth, and proc_track passes at most 3 refinements per vehicle.
  double refineMargin = 1.0;
};

struct VehicleUpdate {
  enum class Kind { First, Refinement };
  Kind kind = Kind::First;
  std::uint64_t vehicle = 0;
  std::string text;
  float confidence = 0.0f;      // of the read that carries it (its frame is the snapshot)
  double votes = 0.0;           // the text's summed confidence over the vehicle's reads
  std::size_t observation = 0;  // index into observe()'s reads
};

// Tracks vehicles across analysed frames and keeps, per vehicle, confidence-weighted votes for
// its texts, so one car gives one vehicle with one best text: its first confident read is
// published at once (First), and a text that later out-votes the published one is published
// by refineMargin as a Refinement carrying the frame of the read that made it lead. Pure: the
// caller passes the time.
class VehicleVotes {
 public:
  explicit VehicleVotes(VoteOptions options = {});

  std::vector<VehicleUpdate> observe(SteadyTime now, const std::vector<PlateObservation>& reads);
  // Forgets vehicles not read within vehicleTimeout; returns how many left.
  int expire(SteadyTime now);
  // Forgets every vehicle (a reconnect: the scene may have changed).
  void reset() { vehicles_.clear(); }
  std::size_t openVehicles() const { return vehicles_.size(); }

 private:
  struct Vehicle {
    std::uint64_t id = 0;
    cv::Rect box;
    SteadyTime lastSeen{};
    std::map<std::string, double> votes;
    std::string published;  // empty until a confident read
    std::string leader() const;
  };
  Vehicle* match(const PlateObservation& read, const std::vector<bool>& taken);

  VoteOptions options_;
  std::uint64_t nextId_ = 1;
  std::vector<Vehicle> vehicles_;
};

// Levenshtein distance, for matching OCR variants of one plate.
int editDistance(const std::string& a, const std::string& b);

}  // namespace lpr::plugins::source_rtsp
