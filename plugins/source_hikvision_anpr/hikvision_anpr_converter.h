#pragma once

#include "bus/plate_event.h"
#include "webhook/payload_values.h"
#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_hikvision_anpr {

struct HikvisionOptions {
  // The movement Hikvision calls "forward" (towards the camera on most installs); "reverse" is
  // the other one.
  Direction forward = Direction::In;
  // For a dateTime without an offset [U: every capture seen carries one].
  LocalZone zone;
};

// An ISAPI EventNotificationAlert (multipart with anpr.xml and pictures, or bare XML) → at most
// one read. Pure.
Conversion convertHikvisionAnpr(const WebhookRequest& request, const HikvisionOptions& options);

}  // namespace lpr::plugins::source_hikvision_anpr
