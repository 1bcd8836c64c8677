#pragma once

#include <ostream>
#include <string>

#include "milesight_converter.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_milesight {

extern const PluginDescriptor kDescriptor;

// Keys (plugin.<id>.*), besides WebhookSource's: approach = in | out, time_zone.
class MilesightAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/milesight"; }
  void configure(ConfigReader& config) override;
  void describe(std::ostream& out) const override;
  Conversion convert(const WebhookRequest& request) const override {
    return convertMilesight(request, options_);
  }

 private:
  MilesightOptions options_;
};

class SourceMilesight : public WebhookSource {
 public:
  SourceMilesight() : WebhookSource(std::make_unique<MilesightAdapter>()) {}
};

}  // namespace lpr::plugins::source_milesight
