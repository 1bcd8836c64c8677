#include "webhook/seed_request.h"

#include <utility>

namespace lpr {

SeedLines splitSeed(std::string_view seed) {
  const auto newline = seed.find('\n');
  if (newline == std::string_view::npos) return {seed, {}};
  return {seed.substr(0, newline), seed.substr(newline + 1)};
}

WebhookRequest requestFromSeed(std::string_view seed, std::string path, TimePoint receivedAt) {
  WebhookRequest request;
  request.path = std::move(path);
  request.receivedAt = receivedAt;
  request.contentType = "application/json";
  constexpr std::string_view kPrefix = "Content-Type: ";
  if (seed.starts_with(kPrefix)) {
    const SeedLines lines = splitSeed(seed);
    request.contentType = std::string(lines.first.substr(kPrefix.size()));
    seed = lines.rest;
  }
  request.body = std::string(seed);
  return request;
}

}  // namespace lpr
