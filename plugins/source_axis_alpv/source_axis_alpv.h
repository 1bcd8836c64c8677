#pragma once

#include "alpv_event.h"
#include "plugin/plugin.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_axis_alpv {

extern const PluginDescriptor kDescriptor;

// The vendor half: ALPV's push profile posts here (default /lpr/axis, Basic auth).
//   lost = read | ignore   what a carState "lost" post becomes
class AxisAlpvAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/axis"; }
  // ALPV's TCP push profile (protocol 8) sends the same JSON, images base64 inside.
  bool acceptsTcp() const override { return true; }
  void configure(ConfigReader& config) override;
  void describe(std::ostream& out) const override;
  Conversion convert(const WebhookRequest& request) const override;

  const AlpvOptions& options() const { return options_; }

 private:
  AlpvOptions options_;
};

class SourceAxisAlpv : public WebhookSource {
 public:
  SourceAxisAlpv() : WebhookSource(std::make_unique<AxisAlpvAdapter>()) {}
};

}  // namespace lpr::plugins::source_axis_alpv
