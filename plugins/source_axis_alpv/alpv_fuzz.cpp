// libFuzzer entry point for the ALPV converter: any bytes, as JSON or (with a first line
// "Content-Type: multipart/...; boundary=...") as multipart, must convert without a crash.
#include <cstddef>
#include <cstdint>

#include "alpv_event.h"
#include "seed_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpr::plugins::source_axis_alpv;
  const auto request = requestFromSeed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const bool keepLost : {true, false}) {
    const lpr::Conversion conversion = convertAlpvPost(request, AlpvOptions{keepLost});
    // A result is either an error, a heartbeat, an ignored post or reads, never a mix.
    if (conversion.error && !conversion.reads.empty()) __builtin_trap();
    for (const auto& read : conversion.reads) {
      if (read.event.plate.empty() || read.event.sourceEventId.empty()) __builtin_trap();
      if (read.event.confidence && (*read.event.confidence < 0 || *read.event.confidence > 1)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
