#pragma once

#include <mutex>
#include <vector>

#include "gate/gate_control.h"

namespace lpr {

// The core's GateControl: a list of registered barriers.
class GateRegistry : public GateControl {
 public:
  void registerBarrier(const std::string& owner, std::vector<int> accessPoints,
                       Opener opener) override;
  OpenResult open(const OpenRequest& request) override;
  std::vector<int> accessPoints() const override;

 private:
  struct Barrier {
    std::string owner;
    std::vector<int> accessPoints;
    Opener opener;
  };
  mutable std::mutex mutex_;
  std::vector<Barrier> barriers_;
};

}  // namespace lpr
