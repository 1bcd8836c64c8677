#include "source_dahua_its.h"

#include "config/config_reader.h"

namespace lpr::plugins::source_dahua_its {

void DahuaItsAdapter::configure(ConfigReader& config) {
  options_.approach =
      config.getEnum("approach", "in", {"in", "out"}) == "out" ? Direction::Out : Direction::In;
  options_.zone = readTimeZone(config);
}

void DahuaItsAdapter::describe(std::ostream& out) const {
  out << " approach=" << (options_.approach == Direction::Out ? "out" : "in")
      << " time_zone=" << options_.zone.toString();
}

const PluginDescriptor kDescriptor{
    "source_dahua_its", PluginKind::Source,
    "Dahua ITC ITSAPI push (/NotificationInfo/TollgateInfo JSON, KeepAlive), replies Result:true",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceDahuaIts>(); }};

}  // namespace lpr::plugins::source_dahua_its
