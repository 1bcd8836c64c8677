#pragma once

#include <memory>

#include "openalpr_payload.h"
#include "plugin/plugin.h"
#include "webhook/webhook_source.h"

namespace lpr::plugins::source_openalpr {

extern const PluginDescriptor kDescriptor;

// The HTTP post of OpenALPR's alprd (upload_address) and of the commercial Agent's webhook.
// Own keys: frames = accept | ignore, previews = ignore | read.
class OpenAlprAdapter : public WebhookAdapter {
 public:
  std::string defaultPath() const override { return "/lpr/openalpr"; }
  void configure(ConfigReader& config) override;
  void describe(std::ostream& out) const override;
  Conversion convert(const WebhookRequest& request) const override;
  const OpenAlprOptions& options() const { return options_; }

 private:
  OpenAlprOptions options_;
};

class SourceOpenAlpr : public WebhookSource {
 public:
  SourceOpenAlpr() : WebhookSource(std::make_unique<OpenAlprAdapter>()) {}
};

}  // namespace lpr::plugins::source_openalpr
