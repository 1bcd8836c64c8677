#pragma once

#include <cstddef>

#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_openalpr {

struct OpenAlprOptions {
  // alpr_results (one post per frame with plates: alprd, and the Agent when set to send them).
  bool acceptFrames = true;
  // alpr_group with is_preview = true: a first guess the Agent sends before the group is final.
  bool previewsAsReads = false;
  std::size_t maxImageBytes = 4u << 20;  // decoded vehicle_crop_jpeg
};

// OpenALPR alprd / Agent (Rekor Scout) webhook JSON → reads. Pure.
//   alpr_results: one read per results[] entry, sourceEventId "<uuid>#<index>" (the frame's
//                 uuid), no vehicle id (alprd does not group frames).
//   alpr_group:   one read, sourceEventId "group:<best_uuid>" ("preview:<best_uuid>:<epoch_end>"
//                 for a preview), vehicleId = the group's first frame uuid, so a preview read
//                 and its final group are one vehicle. Previews are ignored unless
//                 previewsAsReads.
//   heartbeat / alpr_heartbeat: heartbeat. alpr_alert and the Agent's test post: ignored.
Conversion convertOpenAlpr(const WebhookRequest& request, const OpenAlprOptions& options);

}  // namespace lpr::plugins::source_openalpr
