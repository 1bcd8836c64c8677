#pragma once

#include <ostream>
#include <string>

#include "dahua_its_converter.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_dahua_its {

extern const PluginDescriptor kDescriptor;

// Keys (plugin.<id>.*), besides WebhookSource's: approach = in | out, time_zone.
class DahuaItsAdapter : public WebhookAdapter {
 public:
  // The camera posts to fixed paths below /NotificationInfo (TollgateInfo, KeepAlive,
  // DeviceInfo), so the route takes the whole family.
  std::string defaultPath() const override { return "/NotificationInfo"; }
  bool routesSubpaths() const override { return true; }
  // Third-party receivers report that the camera authenticates with Digest.
  std::string defaultAuth() const override { return "digest"; }
  void configure(ConfigReader& config) override;
  void describe(std::ostream& out) const override;
  Conversion convert(const WebhookRequest& request) const override {
    return convertDahuaIts(request, options_);
  }
  // The camera resends a notification until the reply says Result: true; a refusal says
  // Result: false in the same shape.
  std::string resultKey() const override { return "Result"; }

 private:
  DahuaOptions options_;
};

class SourceDahuaIts : public WebhookSource {
 public:
  SourceDahuaIts() : WebhookSource(std::make_unique<DahuaItsAdapter>()) {}
};

}  // namespace lpr::plugins::source_dahua_its
