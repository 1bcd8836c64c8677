#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bus/plate_event.h"

namespace lpr {

struct IngestResult {
  enum class Status {
    Stored,     // committed to the durable store: the source may answer success
    Duplicate,  // same (sourceId, sourceEventId) already stored: answer success, nothing new
    Dropped,    // a processor dropped it on purpose (e.g. a repeat read): answer success
    Failed      // not stored (disk full, store closed): answer with a retryable error
  };
  Status status = Status::Failed;
  std::string eventId;
  std::int64_t seq = 0;
  std::string error;
  bool accepted() const { return status != Status::Failed; }
};

// How sources hand events to the core. submit() returns only once the event is durable
// (or definitely not stored), so a source answers its sender after it returns.
class Ingest {
 public:
  virtual ~Ingest() = default;
  // `image` (raw bytes, e.g. a decoded JPEG) is spooled to a file first and referenced by path.
  virtual IngestResult submit(PlateEvent event, std::string_view image = {},
                              std::string_view imageExtension = "jpg") = 0;
};

}  // namespace lpr
