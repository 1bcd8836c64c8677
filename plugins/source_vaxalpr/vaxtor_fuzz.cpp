// libFuzzer entry point for the VaxALPR template converter: any bytes (an optional first line
// "Content-Type: ..." then the body) must convert without a crash.
#include <cstddef>
#include <cstdint>

#include "seed_request.h"
#include "vaxtor_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpr::plugins::source_vaxalpr;
  const auto request = requestFromSeed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const bool plateFirst : {true, false}) {
    VaxtorOptions options;
    options.preferPlateImage = plateFirst;
    options.zone = *lpr::LocalZone::parse("+02:00");
    const lpr::Conversion conversion = convertVaxtorReport(request, options);
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
