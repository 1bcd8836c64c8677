#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "bus/plate_event.h"

namespace lpr::plugins::source_2n_lpr {

// 2N HTTP API error codes this endpoint answers with (docs/2n-http-api.md §0).
inline constexpr int kErrInvalidMethod = 3;
inline constexpr int kErrAuthorisationRequired = 9;
inline constexpr int kErrMissingParameter = 11;
inline constexpr int kErrInvalidParameter = 12;
inline constexpr int kErrDataTooBig = 13;
inline constexpr int kErrProcessing = 14;

// The longest plateImage the 2N device takes, counted on the base64 text: 2N does not say whether
// its 256 kB apply before or after encoding, and a camera that works with a 2N device stays
// within the stricter reading.
inline constexpr std::size_t kMaxPlateImageChars = 262144;
inline constexpr std::size_t kMaxPlateTextChars = 12;

struct TwoNError {
  int code = kErrProcessing;
  std::string param;        // empty when the error is not about one parameter
  std::string description;  // the 2N table text, sometimes with a detail appended
  std::string kind;         // lpr_input_errors_total kind: malformed_json, missing_field, ...
};

// The 2N description text for a code ("invalid parameter value" for 12).
std::string twoNDescription(int code);
TwoNError twoNError(int code, std::string param = {}, std::string kind = {});
// {"success":false,"error":{"code":12,"param":"plateText","description":"invalid parameter value"}}
// ("param" left out when empty).
std::string errorEnvelope(const TwoNError& error);
std::string successEnvelope();  // {"success":true}

struct TwoNLprOptions {
  // Set by access_point = 0|1: the body's accessPoint is then neither required nor checked.
  std::optional<int> accessPointOverride;
  std::size_t maxImageChars = kMaxPlateImageChars;
};

struct TwoNLprRequest {
  // sourceEventId, vehicleId, plateRaw, plate, accessPoint, direction, capturedAt, attributes;
  // sourceId and everything the core assigns are left empty.
  PlateEvent event;
  std::string image;  // decoded plateImage bytes; empty when the request has none
  std::string imageExtension = "jpg";
};

using TwoNLprResult = std::variant<TwoNLprRequest, TwoNError>;

// Body of POST /api/lpr/licenseplate → the event, or the error a 2N device would answer.
// Pure: `now` becomes capturedAt because the 2N format carries no time.
TwoNLprResult parseTwoNLprRequest(std::string_view body, TimePoint now,
                                  const TwoNLprOptions& options = {});

}  // namespace lpr::plugins::source_2n_lpr
