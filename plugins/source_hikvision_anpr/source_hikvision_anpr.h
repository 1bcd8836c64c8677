#pragma once

#include <ostream>
#include <string>

#include "hikvision_anpr_converter.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_hikvision_anpr {

extern const PluginDescriptor kDescriptor;

// Keys (plugin.<id>.*), besides WebhookSource's: forward = in | out, time_zone.
class HikvisionAnprAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/hikvision"; }
  void configure(ConfigReader& config) override;
  void describe(std::ostream& out) const override;
  Conversion convert(const WebhookRequest& request) const override {
    return convertHikvisionAnpr(request, options_);
  }

 private:
  HikvisionOptions options_;
};

class SourceHikvisionAnpr : public WebhookSource {
 public:
  SourceHikvisionAnpr() : WebhookSource(std::make_unique<HikvisionAnprAdapter>()) {}
};

}  // namespace lpr::plugins::source_hikvision_anpr
