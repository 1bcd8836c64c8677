// libFuzzer entry for the Frigate converter: the first line of the input is the MQTT topic, the
// rest the payload (the testdata/*.msg seeds have that shape). The payload is also tried on both
// plate topics, so that a mutated topic line does not hide the JSON paths.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "frigate_message.h"
#include "webhook/seed_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using lpr::plugins::source_frigate::convertFrigateMessage;
  const lpr::SeedLines seed =
      lpr::splitSeed(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string topic(seed.first);
  const std::string payload(seed.rest);
  const lpr::plugins::source_frigate::FrigateOptions options;
  const lpr::TimePoint now{std::chrono::seconds(1718000000)};
  (void)convertFrigateMessage(topic, payload, options, now);
  (void)convertFrigateMessage("frigate/tracked_object_update", payload, options, now);
  (void)convertFrigateMessage("frigate/events", payload, options, now);
  return 0;
}
