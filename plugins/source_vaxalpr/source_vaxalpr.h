#pragma once

#include "plugin/plugin.h"
#include "vaxtor_report.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_vaxalpr {

extern const PluginDescriptor kDescriptor;

// The vendor half: VaxALPR's HTTP(S) POST with our JSON template (default /lpr/vaxtor, Basic).
//   towards = in | out            what $direction$ 1 (towards the camera) means here
//   time_zone = UTC | +HH:MM | system   for a $date$ without a zone
//   image = plate | overview      which image to keep when both are sent
class VaxtorAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/vaxtor"; }
  // Vaxtor's TCP output sends the same JSON template, object after object.
  bool acceptsTcp() const override { return true; }
  void configure(ConfigReader& config) override;
  void describe(std::ostream& out) const override;
  Conversion convert(const WebhookRequest& request) const override;

  const VaxtorOptions& options() const { return options_; }

 private:
  VaxtorOptions options_;
};

class SourceVaxalpr : public WebhookSource {
 public:
  SourceVaxalpr() : WebhookSource(std::make_unique<VaxtorAdapter>()) {}
};

}  // namespace lpr::plugins::source_vaxalpr
