#include "source_openalpr.h"

#include <ostream>

namespace lpr::plugins::source_openalpr {

void OpenAlprAdapter::configure(ConfigReader& config) {
  options_.acceptFrames = config.getEnum("frames", "accept", {"accept", "ignore"}) == "accept";
  options_.previewsAsReads = config.getEnum("previews", "ignore", {"ignore", "read"}) == "read";
}

void OpenAlprAdapter::describe(std::ostream& out) const {
  out << " frames=" << (options_.acceptFrames ? "accept" : "ignore")
      << " previews=" << (options_.previewsAsReads ? "read" : "ignore");
}

Conversion OpenAlprAdapter::convert(const WebhookRequest& request) const {
  return convertOpenAlpr(request, options_);
}

const PluginDescriptor kDescriptor{
    "source_openalpr", PluginKind::Source,
    "OpenALPR alprd alpr_results and Agent alpr_group webhook (JSON)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceOpenAlpr>(); }};

}  // namespace lpr::plugins::source_openalpr
