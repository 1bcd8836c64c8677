#include "bus/pipeline.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include "metrics/metrics.h"
#include "plugin/plugin.h"
#include "storage/event_store.h"
#include "storage/image_spool.h"

namespace lpr {

Pipeline::Pipeline(EventStore& store, ImageSpool& spool, Metrics& metrics)
    : store_(store), spool_(spool), metrics_(metrics), log_(Poco::Logger::get("lpr.bus")) {}

void Pipeline::addProcessor(std::string id, Processor& processor) {
  processors_.emplace_back(std::move(id), &processor);
}

IngestResult Pipeline::submit(PlateEvent event, std::string_view image,
                              std::string_view imageExtension) {
  const std::string source = event.sourceId;
  if (event.id.empty()) event.id = newUuid();
  event.receivedAt = Clock::now();
  if (event.capturedAt == TimePoint{}) event.capturedAt = event.receivedAt;

  {
    std::lock_guard lock(processorsMutex_);
    for (auto& [id, processor] : processors_) {
      Verdict verdict;
      try {
        verdict = processor->process(event);
      } catch (const std::exception& e) {
        // A processor bug must not lose the read: log it, count it, pass the event on.
        log_.error("processor %s threw on event %s: %s", id, event.id, std::string(e.what()));
        metrics_.counter("lpr_errors_total", "Errors by kind", {{"kind", "processor_exception"}})
            .inc();
        continue;
      }
      if (!verdict.keep) {
        metrics_
            .counter("lpr_events_dropped_total", "Events a processor dropped on purpose",
                     {{"plugin", id}})
            .inc();
        return {IngestResult::Status::Dropped, event.id, 0, verdict.why};
      }
    }
  }

  if (!image.empty()) {
    try {
      event.imagePath = spool_.write(event.id, image, imageExtension);
    } catch (const Poco::Exception& e) {
      // The read matters more than its picture: keep the event, count the lost image.
      log_.error("snapshot of event %s not spooled: %s", event.id, e.displayText());
      metrics_.counter("lpr_errors_total", "Errors by kind", {{"kind", "spool_write"}}).inc();
    }
  }

  auto result = store_.append(event);
  switch (result.status) {
    case EventStore::AppendResult::Status::Stored:
      metrics_
          .counter("lpr_events_in_total", "Events accepted, by source plugin", {{"plugin", source}})
          .inc();
      return {IngestResult::Status::Stored, result.id, result.seq, {}};
    case EventStore::AppendResult::Status::Duplicate:
      if (!event.imagePath.empty()) spool_.remove(event.imagePath);
      metrics_
          .counter("lpr_events_duplicate_total",
                   "Re-sent reads recognised by their vendor event id", {{"plugin", source}})
          .inc();
      return {IngestResult::Status::Duplicate, result.id, result.seq, {}};
    default:
      if (!event.imagePath.empty()) spool_.remove(event.imagePath);
      metrics_.counter("lpr_errors_total", "Errors by kind", {{"kind", "store_write"}}).inc();
      return {IngestResult::Status::Failed, event.id, 0, result.error};
  }
}

}  // namespace lpr
