#include "vehicle_votes.h"

#include <algorithm>
#include <numeric>

namespace lpr::plugins::source_rtsp {

int editDistance(const std::string& a, const std::string& b) {
  std::vector<int> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string VehicleVotes::Vehicle::leader() const {
  auto best = votes.begin();
  for (auto it = votes.begin(); it != votes.end(); ++it) {
    if (it->second > best->second) best = it;
  }
  return best == votes.end() ? std::string() : best->first;
}

VehicleVotes::VehicleVotes(VoteOptions options) : options_(options) {}

int VehicleVotes::expire(SteadyTime now) {
  const auto before = vehicles_.size();
  std::erase_if(vehicles_,
                [&](const Vehicle& v) { return now - v.lastSeen > options_.vehicleTimeout; });
  return static_cast<int>(before - vehicles_.size());
}

VehicleVotes::Vehicle* VehicleVotes::match(const PlateObservation& read,
                                           const std::vector<bool>& taken) {
  Vehicle* best = nullptr;
  double bestOverlap = 0.0;
  for (std::size_t i = 0; i < vehicles_.size(); ++i) {
    if (taken[i]) continue;
    Vehicle& v = vehicles_[i];
    // An approaching car's plate grows and drifts between analysed frames: its last box, grown
    // by its own size on each side, still covers the new one.
    cv::Rect grown(v.box.x - v.box.width, v.box.y - v.box.height, v.box.width * 3,
                   v.box.height * 3);
    const double overlap = (grown & read.box).area();
    if (overlap > bestOverlap) {
      bestOverlap = overlap;
      best = &v;
    }
  }
  if (best) return best;
  for (std::size_t i = 0; i < vehicles_.size(); ++i) {
    if (!taken[i] && editDistance(vehicles_[i].leader(), read.text) <= options_.maxEdits) {
      return &vehicles_[i];
    }
  }
  return nullptr;
}

std::vector<VehicleUpdate> VehicleVotes::observe(SteadyTime now,
                                                 const std::vector<PlateObservation>& reads) {
  expire(now);
  std::vector<std::size_t> order(reads.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return reads[a].confidence > reads[b].confidence;
  });
  std::vector<VehicleUpdate> updates;
  std::vector<bool> taken(vehicles_.size(), false);
  for (std::size_t index : order) {
    const PlateObservation& read = reads[index];
    if (read.text.empty()) continue;
    Vehicle* v = match(read, taken);
    if (v) {
      taken[static_cast<std::size_t>(v - vehicles_.data())] = true;
    } else {
      vehicles_.push_back(Vehicle{nextId_++, read.box, now, {}, {}});
      taken.push_back(true);
      v = &vehicles_.back();
    }
    v->box = read.box;
    v->lastSeen = now;
    const double votes = v->votes[read.text] += read.confidence;
    if (v->published.empty()) {
      if (read.confidence >= options_.minConfidence) {
        v->published = read.text;
        updates.push_back(
            {VehicleUpdate::Kind::First, v->id, read.text, read.confidence, votes, index});
      }
    } else if (read.text != v->published && v->leader() == read.text &&
               votes > v->votes[v->published] + options_.refineMargin) {
      v->published = read.text;
      updates.push_back(
          {VehicleUpdate::Kind::Refinement, v->id, read.text, read.confidence, votes, index});
    }
  }
  return updates;
}

}  // namespace lpr::plugins::source_rtsp
