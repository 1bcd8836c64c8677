#include "gate/gate_registry.h"

#include <algorithm>
#include <set>

namespace lpr {

std::string toString(OpenResult::Kind kind) {
  switch (kind) {
    case OpenResult::Kind::Opened:
      return "opened";
    case OpenResult::Kind::NoBarrier:
      return "no_barrier";
    case OpenResult::Kind::Failed:
      return "failed";
  }
  return "failed";
}

void GateRegistry::registerBarrier(const std::string& owner, std::vector<int> accessPoints,
                                   Opener opener) {
  std::lock_guard lock(mutex_);
  barriers_.push_back({owner, std::move(accessPoints), std::move(opener)});
}

OpenResult GateRegistry::open(const OpenRequest& request) {
  std::vector<Barrier> serving;
  {
    std::lock_guard lock(mutex_);
    for (const auto& barrier : barriers_) {
      const auto& points = barrier.accessPoints;
      if (std::find(points.begin(), points.end(), request.accessPoint) != points.end()) {
        serving.push_back(barrier);
      }
    }
  }
  if (serving.empty()) {
    return {OpenResult::Kind::NoBarrier,
            "no barrier drives access point " + std::to_string(request.accessPoint)};
  }
  // Outside the lock: an opener holds its relay for the pulse.
  OpenResult result{OpenResult::Kind::Failed, {}};
  for (const auto& barrier : serving) {
    OpenResult one = barrier.opener(request);
    if (!result.detail.empty()) result.detail += "; ";
    result.detail += barrier.owner + ": " + (one.detail.empty() ? toString(one.kind) : one.detail);
    if (one.kind == OpenResult::Kind::Opened) result.kind = OpenResult::Kind::Opened;
  }
  return result;
}

std::vector<int> GateRegistry::accessPoints() const {
  std::lock_guard lock(mutex_);
  std::set<int> points;
  for (const auto& barrier : barriers_)
    points.insert(barrier.accessPoints.begin(), barrier.accessPoints.end());
  return {points.begin(), points.end()};
}

}  // namespace lpr
