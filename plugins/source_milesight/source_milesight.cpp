#include "source_milesight.h"

#include "config/config_reader.h"

namespace lpr::plugins::source_milesight {

void MilesightAdapter::configure(ConfigReader& config) {
  options_.approach =
      config.getEnum("approach", "in", {"in", "out"}) == "out" ? Direction::Out : Direction::In;
  options_.zone = readTimeZone(config);
}

void MilesightAdapter::describe(std::ostream& out) const {
  out << " approach=" << (options_.approach == Direction::Out ? "out" : "in")
      << " time_zone=" << options_.zone.toString();
}

const PluginDescriptor kDescriptor{
    "source_milesight", PluginKind::Source,
    "Milesight LPR camera HTTP push (JSON of strings, local time)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceMilesight>(); }};

}  // namespace lpr::plugins::source_milesight
