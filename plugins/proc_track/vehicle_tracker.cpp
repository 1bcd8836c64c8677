#include "vehicle_tracker.h"

#include <algorithm>
#include <vector>

namespace lpr::plugins::proc_track {

namespace {

const std::string& plateOf(const PlateEvent& read) {
  return read.plate.empty() ? read.plateRaw : read.plate;
}

}  // namespace

std::string toString(TrackDecision::Kind kind) {
  switch (kind) {
    case TrackDecision::Kind::First:
      return "first";
    case TrackDecision::Kind::Refinement:
      return "refinement";
    case TrackDecision::Kind::Repeat:
      return "repeat";
    case TrackDecision::Kind::Cooldown:
      return "cooldown";
    case TrackDecision::Kind::Unsure:
      return "unsure";
  }
  return "first";
}

int VehicleTracker::editDistance(const std::string& a, const std::string& b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  std::vector<int> row(m + 1);
  for (int j = 0; j <= m; ++j) row[j] = j;
  for (int i = 1; i <= n; ++i) {
    int diagonal = row[0];
    row[0] = i;
    int best = row[0];
    for (int j = 1; j <= m; ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[m];
}

bool VehicleTracker::sameVehicle(const Pass& pass, const PlateEvent& read) const {
  if (pass.source != read.sourceId) return false;
  // The vendor's vehicle id is the better witness when both reads have one.
  if (!pass.vehicleId.empty() && !read.vehicleId.empty()) return pass.vehicleId == read.vehicleId;
  return editDistance(pass.plate, plateOf(read), options_.maxEdits) <= options_.maxEdits;
}

bool VehicleTracker::refines(const Pass& pass, const PlateEvent& read) const {
  if (pass.updates >= options_.maxUpdates || plateOf(read) == pass.plate) return false;
  if (read.confidence && *read.confidence < options_.minConfidence) return false;
  if (!pass.vehicleId.empty() && read.vehicleId == pass.vehicleId) return true;
  // Without the vendor's word, only a more confident read may replace the text.
  return read.confidence && (!pass.confidence || *read.confidence > *pass.confidence);
}

void VehicleTracker::forgetOld(std::chrono::steady_clock::time_point now) {
  const auto keep = std::max(options_.window, options_.cooldown);
  passes_.remove_if(
      [&](const Pass& p) { return now - p.lastSeen > keep && now - p.started > keep; });
}

TrackDecision VehicleTracker::observe(const PlateEvent& read,
                                      std::chrono::steady_clock::time_point now) {
  forgetOld(now);
  for (auto& pass : passes_) {
    if (now - pass.lastSeen <= options_.window && sameVehicle(pass, read)) {
      pass.lastSeen = now;
      if (!refines(pass, read)) return {TrackDecision::Kind::Repeat, pass.firstEventId};
      pass.plate = plateOf(read);
      pass.confidence = read.confidence;
      ++pass.updates;
      return {TrackDecision::Kind::Refinement, pass.firstEventId};
    }
  }
  if (read.confidence && *read.confidence < options_.minConfidence) {
    return {TrackDecision::Kind::Unsure, {}};
  }
  for (auto& pass : passes_) {
    if (pass.plate == plateOf(read) && pass.accessPoint == read.accessPoint &&
        now - pass.started < options_.cooldown) {
      pass.lastSeen = now;
      return {TrackDecision::Kind::Cooldown, pass.firstEventId};
    }
  }
  passes_.push_front({read.sourceId, read.vehicleId, plateOf(read), read.confidence, 0,
                      read.accessPoint, read.id, now, now});
  return {TrackDecision::Kind::First, {}};
}

}  // namespace lpr::plugins::proc_track
