#pragma once

#include <functional>
#include <string>
#include <vector>

namespace lpr {

// A request to open a gate now, outside the decision stream: an operator's MQTT command or a
// Home Assistant button. It is real time like every barrier command: carried out at once or
// refused, never stored and replayed.
struct OpenRequest {
  int accessPoint = 0;
  std::string requestedBy;  // who asked ("mqtt:<topic>", "api:<user>"), for the log
  std::string reason;
};

struct OpenResult {
  enum class Kind { Opened, NoBarrier, Failed };
  Kind kind = Kind::NoBarrier;
  std::string detail;  // which barriers acted, or why none could
};
std::string toString(OpenResult::Kind kind);

// Where barrier sinks offer manual opening and where requesters ask for it.
class GateControl {
 public:
  virtual ~GateControl() = default;
  // Called by a barrier in configure(): `accessPoints` are the gates it drives. The opener runs
  // on the requester's thread and must pulse the barrier (or fail) before returning.
  using Opener = std::function<OpenResult(const OpenRequest& request)>;
  virtual void registerBarrier(const std::string& owner, std::vector<int> accessPoints,
                               Opener opener) = 0;
  // Asks every barrier registered for the access point; Opened when at least one opened,
  // NoBarrier when none drives it, else Failed with each barrier's reason.
  virtual OpenResult open(const OpenRequest& request) = 0;
  // The access points some barrier drives, ascending (Home Assistant offers a button for each).
  virtual std::vector<int> accessPoints() const = 0;
};

}  // namespace lpr
