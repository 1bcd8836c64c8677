// libFuzzer entry point for the VaxALPR template converter: any bytes (an optional first line
// "Content-Type: ..." then the body) must convert without a crash.
#include <cstddef>
#include <cstdint>

#include "vaxtor_report.h"
#include "webhook/conversion_contract.h"
#include "webhook/seed_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpr::plugins::source_vaxalpr;
  const auto request =
      lpr::requestFromSeed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const bool plateFirst : {true, false}) {
    VaxtorOptions options;
    options.preferPlateImage = plateFirst;
    options.zone = *lpr::LocalZone::parse("+02:00");
    const lpr::Conversion conversion = convertVaxtorReport(request, options);
    if (!lpr::keepsConversionContract(conversion)) __builtin_trap();
  }
  return 0;
}
