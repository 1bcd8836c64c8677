// libFuzzer entry for the Plate Recognizer converter. An input that starts with a
// "Content-Type: ...\n" line carries its content type (the multipart seeds in testdata/ do, so
// that the fuzzer explores boundaries too); any other input is a JSON body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "plate_recognizer_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  lpr::WebhookRequest request;
  request.path = "/lpr/platerecognizer";
  request.contentType = "application/json";
  request.body = input;
  const std::string header = "Content-Type: ";
  if (input.compare(0, header.size(), header) == 0) {
    const auto newline = input.find('\n');
    request.contentType = input.substr(header.size(), newline - header.size());
    request.body = newline == std::string::npos ? std::string() : input.substr(newline + 1);
  }
  (void)lpr::plugins::source_platerecognizer::convertPlateRecognizer(request);
  return 0;
}
