// libFuzzer entry point for the Milesight converter: the input is a post body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "milesight_converter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lpr::WebhookRequest request;
  request.path = "/lpr/milesight";
  request.contentType = "application/json";
  request.body.assign(reinterpret_cast<const char*>(data), size);
  static const lpr::plugins::source_milesight::MilesightOptions options;
  lpr::plugins::source_milesight::convertMilesight(request, options);
  return 0;
}
