#pragma once

#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_platerecognizer {

// Plate Recognizer Stream / Snapshot webhook → reads. Pure.
//
// The body is the webhook JSON ({"hook":{...},"data":{...}}), or multipart/form-data with the
// JSON as the field `json` and the image as the file `upload` (Stream's webhook_image = yes).
// Every entry of data.results[] is a read of its own. The vendor sends no id, so a read's
// sourceEventId is a content id of (camera, data.timestamp, data.filename, index, plate): a
// re-sent post is recognised, two passes of one car at different times are not merged.
Conversion convertPlateRecognizer(const WebhookRequest& request);

}  // namespace lpr::plugins::source_platerecognizer
