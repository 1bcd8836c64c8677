#pragma once

#include "webhook/webhook_conversion.h"

namespace lpr {

// What WebhookSource relies on in any converter result, whatever the input: fuzz targets trap
// when it fails, since the source would otherwise store a read it cannot key or rank. A result is
// an error or reads, never both; every read has a plate and a sourceEventId (the idempotency
// key); a confidence, when given, is 0..1.
inline bool keepsConversionContract(const Conversion& conversion) {
  if (conversion.error && !conversion.reads.empty()) return false;
  for (const auto& read : conversion.reads) {
    if (read.event.plate.empty() || read.event.sourceEventId.empty()) return false;
    if (read.event.confidence && (*read.event.confidence < 0 || *read.event.confidence > 1)) {
      return false;
    }
  }
  return true;
}

}  // namespace lpr
