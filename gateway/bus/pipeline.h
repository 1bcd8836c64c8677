#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bus/ingest.h"

namespace Poco {
class Logger;
}

namespace lpr {

class EventStore;
class ImageSpool;
class Metrics;
class Processor;

// The ingest path every source uses: stamp the event, run the processors in configured order
// (one at a time, so their state needs no locks), spool the image, commit to the store.
class Pipeline : public Ingest {
 public:
  Pipeline(EventStore& store, ImageSpool& spool, Metrics& metrics);

  void addProcessor(std::string id, Processor& processor);
  IngestResult submit(PlateEvent event, std::string_view image,
                      std::string_view imageExtension) override;

 private:
  EventStore& store_;
  ImageSpool& spool_;
  Metrics& metrics_;
  Poco::Logger& log_;
  std::mutex processorsMutex_;
  std::vector<std::pair<std::string, Processor*>> processors_;
};

}  // namespace lpr
