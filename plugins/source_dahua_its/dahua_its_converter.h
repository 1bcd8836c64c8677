#pragma once

#include "bus/plate_event.h"
#include "webhook/payload_values.h"
#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_dahua_its {

struct DahuaOptions {
  // The movement SnapInfo.Direction "Approach" stands for; "Leave"/"Away" is the other one
  // [U: the value domain is not documented].
  Direction approach = Direction::In;
  // Zone of AccurateTime when the payload's TimeZone is not an offset such as "+01:00".
  LocalZone zone;
};

// One ITSAPI notification, told apart by the last path segment: TollgateInfo (a plate read,
// JSON {"Picture":{...}}), KeepAlive and DeviceInfo (the camera is alive), anything else
// (ignored). Pure.
Conversion convertDahuaIts(const WebhookRequest& request, const DahuaOptions& options);

}  // namespace lpr::plugins::source_dahua_its
