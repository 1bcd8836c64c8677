#include "source_vaxalpr.h"

namespace lpr::plugins::source_vaxalpr {

const PluginDescriptor kDescriptor{
    "source_vaxalpr", PluginKind::Source,
    "Vaxtor VaxALPR HTTP(S) POST with the gateway's JSON template (README): confidence 0-100, "
    "direction towards/away mapped to in/out, base64 plate and overview images",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceVaxalpr>(); }};

void VaxtorAdapter::configure(ConfigReader& config) {
  options_.towards =
      config.getEnum("towards", "in", {"in", "out"}) == "out" ? Direction::Out : Direction::In;
  options_.zone = readTimeZone(config);
  options_.preferPlateImage = config.getEnum("image", "plate", {"plate", "overview"}) == "plate";
}

void VaxtorAdapter::describe(std::ostream& out) const {
  out << " towards=" << (options_.towards == Direction::Out ? "out" : "in")
      << " time_zone=" << options_.zone.toString()
      << " image=" << (options_.preferPlateImage ? "plate" : "overview");
}

Conversion VaxtorAdapter::convert(const WebhookRequest& request) const {
  return convertVaxtorReport(request, options_);
}

}  // namespace lpr::plugins::source_vaxalpr
