#include "source_axis_alpv.h"

namespace lpr::plugins::source_axis_alpv {

const PluginDescriptor kDescriptor{
    "source_axis_alpv", PluginKind::Source,
    "AXIS License Plate Verifier push (HTTP POST, JSON or multipart event + image): NEW, UPDATE "
    "and LOST of one carID are one vehicle, the later text wins; heartbeats reflected in health",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceAxisAlpv>(); }};

void AxisAlpvAdapter::configure(ConfigReader& config) {
  options_.keepLost = config.getEnum("lost", "read", {"read", "ignore"}) == "read";
}

void AxisAlpvAdapter::describe(std::ostream& out) const {
  out << " lost=" << (options_.keepLost ? "read" : "ignore");
}

Conversion AxisAlpvAdapter::convert(const WebhookRequest& request) const {
  return convertAlpvPost(request, options_);
}

}  // namespace lpr::plugins::source_axis_alpv
