// libFuzzer entry point for the ALPV converter: any bytes, as JSON or (with a first line
// "Content-Type: multipart/...; boundary=...") as multipart, must convert without a crash.
#include <cstddef>
#include <cstdint>

#include "alpv_event.h"
#include "webhook/conversion_contract.h"
#include "webhook/seed_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpr::plugins::source_axis_alpv;
  const auto request =
      lpr::requestFromSeed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const bool keepLost : {true, false}) {
    const lpr::Conversion conversion = convertAlpvPost(request, AlpvOptions{keepLost});
    if (!lpr::keepsConversionContract(conversion)) __builtin_trap();
  }
  return 0;
}
