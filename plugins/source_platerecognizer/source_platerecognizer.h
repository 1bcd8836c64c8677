#pragma once

#include <memory>

#include "plugin/plugin.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_platerecognizer {

extern const PluginDescriptor kDescriptor;

// The webhook of Plate Recognizer Stream (on-premises video) and Snapshot (image API).
class PlateRecognizerAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/platerecognizer"; }
  // Snapshot removes a hook after repeated errors; any 2xx keeps it (the default reply).
  Conversion convert(const WebhookRequest& request) const override;
};

class SourcePlateRecognizer : public WebhookSource {
 public:
  SourcePlateRecognizer() : WebhookSource(std::make_unique<PlateRecognizerAdapter>()) {}
};

}  // namespace lpr::plugins::source_platerecognizer
