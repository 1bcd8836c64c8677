#pragma once

#include <string>

#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_frigate {

struct FrigateOptions {
  std::string topicPrefix = "frigate";
};

// One MQTT message of Frigate NVR → reads. Pure: `receivedAt` stands in for messages without a
// time.
//   <prefix>/tracked_object_update with type "lpr": a read per recognition pass.
//   <prefix>/events (type new | update | end) whose `after` carries recognized_license_plate.
// The tracked object's `id` is the vehicleId, so the core refines one vehicle as Frigate's text
// improves. sourceEventId is "<id>|<plate>|<score>": the same recognition in both topics, a
// re-delivered or retained message, or a repeated pass that found nothing new are duplicates.
// Everything else (other topics, other update types, objects without a plate) is ignored.
Conversion convertFrigateMessage(const std::string& topic, const std::string& payload,
                                 const FrigateOptions& options, TimePoint receivedAt);

}  // namespace lpr::plugins::source_frigate
