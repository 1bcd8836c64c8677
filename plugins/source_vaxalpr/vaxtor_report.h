#pragma once

#include "webhook/payload_values.h"
#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_vaxalpr {

struct VaxtorOptions {
  // $direction$ 1 ("towards the camera") is this; 2 ("away") the other; 0 and 3 are Unknown.
  Direction towards = Direction::In;
  // For a $date$ without a zone.
  LocalZone zone;
  // Which of the two images to keep when both are sent; the other is the fallback.
  bool preferPlateImage = true;
};

// One VaxALPR report posted with our JSON template (camera-template.json, README) → one read.
// Every token sits in a JSON string, so a token the camera leaves empty (no image, no
// confidence) keeps the body valid; numbers written without quotes are read too. Pure.
Conversion convertVaxtorReport(const WebhookRequest& request, const VaxtorOptions& options);

}  // namespace lpr::plugins::source_vaxalpr
