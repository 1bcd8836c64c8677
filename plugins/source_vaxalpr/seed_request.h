#pragma once

#include <string>
#include <string_view>

#include "webhook/webhook_conversion.h"

namespace lpr::plugins::source_vaxalpr {

// A testdata file or fuzzer input as a request: an optional first line "Content-Type: <value>"
// (multipart seeds carry their boundary there, so the fuzzer explores it too), then the body.
// Without that line the body is JSON.
inline WebhookRequest requestFromSeed(std::string_view data) {
  WebhookRequest request;
  request.path = "/lpr/vaxtor";
  request.contentType = "application/json";
  request.receivedAt = TimePoint(std::chrono::milliseconds(1718000999000));
  constexpr std::string_view kPrefix = "Content-Type: ";
  if (data.substr(0, kPrefix.size()) == kPrefix) {
    const auto end = data.find('\n');
    const auto line =
        data.substr(kPrefix.size(), end == data.npos ? data.npos : end - kPrefix.size());
    request.contentType = std::string(line);
    data = end == data.npos ? std::string_view() : data.substr(end + 1);
  }
  request.body = std::string(data);
  return request;
}

}  // namespace lpr::plugins::source_vaxalpr
