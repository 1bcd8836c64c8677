// libFuzzer entry point for the Hikvision converter. A seed that starts with a delimiter line
// ("--boundary\r\n") is a multipart body and that line names the boundary, so mutations of it
// explore boundaries too; anything else goes in as a bare XML body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hikvision_anpr_converter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpr;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  WebhookRequest request;
  const auto eol = input.find("\r\n");
  if (input.starts_with("--") && eol != std::string_view::npos) {
    request.contentType = "multipart/form-data; boundary=" + std::string(input.substr(2, eol - 2));
  } else {
    request.contentType = "application/xml";
  }
  request.body = std::string(input);
  static const plugins::source_hikvision_anpr::HikvisionOptions options;
  plugins::source_hikvision_anpr::convertHikvisionAnpr(request, options);
  return 0;
}
