#pragma once

#include "bus/plate_event.h"
#include "webhook/payload_values.h"
#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_milesight {

struct MilesightOptions {
  // The movement "Approach" stands for; "Away" is the other one.
  Direction approach = Direction::In;
  // The camera's zone: `time` is local wall-clock time without a zone.
  LocalZone zone;
};

// One Milesight LPR post (a flat JSON object of strings, "-" = not available) → at most one
// read. Pure.
Conversion convertMilesight(const WebhookRequest& request, const MilesightOptions& options);

}  // namespace lpr::plugins::source_milesight
