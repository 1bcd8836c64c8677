#include "source_hikvision_anpr.h"

#include "config/config_reader.h"

namespace lpr::plugins::source_hikvision_anpr {

void HikvisionAnprAdapter::configure(ConfigReader& config) {
  options_.forward =
      config.getEnum("forward", "in", {"in", "out"}) == "out" ? Direction::Out : Direction::In;
  options_.zone = readTimeZone(config);
}

void HikvisionAnprAdapter::describe(std::ostream& out) const {
  out << " forward=" << (options_.forward == Direction::Out ? "out" : "in")
      << " time_zone=" << options_.zone.toString();
}

const PluginDescriptor kDescriptor{
    "source_hikvision_anpr", PluginKind::Source,
    "Hikvision ANPR alarm-server push (ISAPI EventNotificationAlert: anpr.xml + pictures)",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<SourceHikvisionAnpr>(); }};

}  // namespace lpr::plugins::source_hikvision_anpr
