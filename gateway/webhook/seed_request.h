#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "webhook/webhook_conversion.h"

namespace lpr {

// The input convention the push sources' testdata files and fuzz seeds share, so one file serves
// a converter test, an over-HTTP test and the fuzzer's corpus alike. It lives in the core (not
// tests/support) because the fuzz targets link only their plugin and the core.

// A seed's first line and what follows it, split at the first '\n'. Without a newline the whole
// seed is the first line and the rest is empty. Used as is where the first line carries the
// channel, e.g. an MQTT topic.
struct SeedLines {
  std::string_view first;
  std::string_view rest;
};
SeedLines splitSeed(std::string_view seed);

// The receive time a seed request gets: fixed, so that reads which take it are reproducible.
inline constexpr TimePoint kSeedReceivedAt{std::chrono::milliseconds(1718000999000)};

// A seed as a webhook request: an optional first line "Content-Type: <value>" (multipart seeds
// carry their boundary there, so the fuzzer mutates boundaries too), then the body. Without that
// line the whole seed is the body and it is JSON.
WebhookRequest requestFromSeed(std::string_view seed, std::string path = {},
                               TimePoint receivedAt = kSeedReceivedAt);

}  // namespace lpr
