#include "source_platerecognizer.h"

#include "plate_recognizer_payload.h"

namespace lpr::plugins::source_platerecognizer {

Conversion PlateRecognizerAdapter::convert(const WebhookRequest& request) const {
  return convertPlateRecognizer(request);
}

const PluginDescriptor kDescriptor{
    "source_platerecognizer", PluginKind::Source,
    "Plate Recognizer Stream / Snapshot webhook (JSON, or multipart json + upload image)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourcePlateRecognizer>(); }};

}  // namespace lpr::plugins::source_platerecognizer
