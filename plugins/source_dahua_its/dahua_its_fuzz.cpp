// libFuzzer entry point for the Dahua converter: the input is a TollgateInfo body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dahua_its_converter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lpr::WebhookRequest request;
  request.path = "/NotificationInfo/TollgateInfo";
  request.contentType = "application/json";
  request.body.assign(reinterpret_cast<const char*>(data), size);
  static const lpr::plugins::source_dahua_its::DahuaOptions options;
  lpr::plugins::source_dahua_its::convertDahuaIts(request, options);
  return 0;
}
