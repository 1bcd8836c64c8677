#include "plugin/plugin.h"

namespace lpr {

std::string toString(Health::State state) {
  switch (state) {
    case Health::State::Ok:
      return "ok";
    case Health::State::Degraded:
      return "degraded";
    case Health::State::Unreachable:
      return "unreachable";
    default:
      return "failed";
  }
}

std::string toString(Stream stream) { return stream == Stream::Reads ? "reads" : "decisions"; }

std::vector<Delivery> Sink::deliverBatch(const std::vector<PlateEvent>& events) {
  std::vector<Delivery> out;
  out.reserve(events.size());
  for (const auto& e : events) {
    out.push_back(deliver(e));
    // Keep order: nothing after a retry may count as delivered ahead of it.
    if (out.back().kind == Delivery::Kind::Retry) break;
  }
  return out;
}

}  // namespace lpr
