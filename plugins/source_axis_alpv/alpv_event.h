#pragma once

#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_axis_alpv {

struct AlpvOptions {
  // LOST repeats the vehicle's final text ~10 s after it left; false: answer it, store nothing.
  bool keepLost = true;
};

// One AXIS License Plate Verifier push (camera-formats.md §1.3) → at most one read, or a
// heartbeat (§1.1 item 4). The body is `application/json`, or `multipart/form-data` with the
// JSON in part `event` and the JPEG in part `image`. Each NEW / UPDATE / LOST post is a read of
// its own with vehicleId "<camera>/<carID>", so proc_track merges them into one vehicle and the
// later text wins. Pure.
Conversion convertAlpvPost(const WebhookRequest& request, const AlpvOptions& options);

}  // namespace lpr::plugins::source_axis_alpv
