#pragma once

#include <array>

#include "bus/ingest.h"

namespace lpr {

// The `result` label under which a source counts its reads, whatever it is pushed over (HTTP,
// MQTT): the same values everywhere let one dashboard query sum reads across source plugins.
inline constexpr std::array<const char*, 4> kReadResults{"stored", "duplicate", "dropped",
                                                         "failed"};

inline const char* readResultLabel(IngestResult::Status status) {
  switch (status) {
    case IngestResult::Status::Stored:
      return "stored";
    case IngestResult::Status::Duplicate:
      return "duplicate";
    case IngestResult::Status::Dropped:
      return "dropped";
    case IngestResult::Status::Failed:
      break;
  }
  return "failed";
}

}  // namespace lpr
