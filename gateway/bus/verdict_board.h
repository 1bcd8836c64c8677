#pragma once

#include <functional>
#include <optional>
#include <string>

#include "bus/plate_event.h"

namespace lpr {

// Where an access authority (a 2N device the reads are forwarded to) hands back its verdicts.
// The decision stage waits a bounded time for one before the event is decided without it.
class VerdictBoard {
 public:
  virtual ~VerdictBoard() = default;
  // Called in configure() by a plugin whose verdicts the stage should wait for.
  virtual void registerAuthority(const std::string& authority) = 0;
  // Whether the authority can answer now. While no registered authority can (the device is
  // unreachable or refuses the setup), events are decided at once instead of after the timeout.
  virtual void setAuthorityAvailable(const std::string& authority, bool available) = 0;
  // The authority's decision on the read with this event id. A verdict for an event decided
  // already (timed out) is counted as late and otherwise ignored.
  virtual void offerVerdict(const std::string& eventId, const Decision& decision) = 0;

  // Decides a read that got no verdict in time (proc_authorize: the local fallback). Runs on
  // the decision stage's thread, one read at a time: keep it quick and in memory. nullopt
  // leaves the event undecided. One per gateway; a second registration is refused (false).
  using Fallback = std::function<std::optional<Decision>(const PlateEvent& read)>;
  virtual bool registerFallback(const std::string& owner, Fallback fallback) = 0;
};

}  // namespace lpr
