// libFuzzer entry for the OpenALPR converter: the input is the JSON body, tried with every
// option combination since they change which branches run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "openalpr_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lpr::WebhookRequest request;
  request.path = "/lpr/openalpr";
  request.contentType = "application/json";
  request.body.assign(reinterpret_cast<const char*>(data), size);
  lpr::plugins::source_openalpr::OpenAlprOptions options;
  (void)lpr::plugins::source_openalpr::convertOpenAlpr(request, options);
  options.previewsAsReads = true;
  options.acceptFrames = false;
  (void)lpr::plugins::source_openalpr::convertOpenAlpr(request, options);
  return 0;
}
