// libFuzzer entry for the Plate Recognizer converter. An input that starts with a
// "Content-Type: ...\n" line carries its content type (the multipart seeds in testdata/ do, so
// that the fuzzer explores boundaries too); any other input is a JSON body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plate_recognizer_payload.h"
#include "webhook/seed_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpr::WebhookRequest request = lpr::requestFromSeed(
      std::string_view(reinterpret_cast<const char*>(data), size), "/lpr/platerecognizer");
  (void)lpr::plugins::source_platerecognizer::convertPlateRecognizer(request);
  return 0;
}
