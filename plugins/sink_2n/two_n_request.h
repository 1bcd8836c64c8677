#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bus/plate_event.h"

namespace lpr::plugins::sink_2n {

// The 2N LPR function: POST, JSON body (docs/2n-http-api.md §1).
inline constexpr const char* kLprPath = "/api/lpr/licenseplate";
inline constexpr const char* kSystemInfoPath = "/api/system/info";
inline constexpr std::size_t kMaxPlateTextChars = 12;
// plateImage limit, counted on the base64 text: 2N does not say whether its 256 kB apply before
// or after encoding, so the stricter reading is used.
inline constexpr std::size_t kMaxPlateImageChars = 262144;

// swVersion of /api/system/info, e.g. "2.39.1.44.2": the numeric parts in order.
struct FirmwareVersion {
  std::vector<int> parts;
  bool atLeast(int major, int minor) const;
  std::string toString() const;
};
std::optional<FirmwareVersion> parseFirmwareVersion(const std::string& swVersion);
// lprID and lprDir exist since firmware 2.40. Unknown firmware is taken as current.
bool supportsLprIdAndDir(const std::optional<FirmwareVersion>& firmware);

// A name-based (SHA-1, version 5) UUID of the event id: a new lprUuid per read that stays the
// same when the same event is sent again, so the device can tell a retried POST.
std::string lprUuidFor(const std::string& eventId);
// A stable positive 31-bit lprID per vehicle: vehicleId itself when it is a decimal number in
// 0..2^31-1; else a hash of sourceId and vehicleId; else (no vehicle id) a hash of the event id.
std::int64_t lprIdFor(const PlateEvent& event);
// in → 2, out → 3, unknown → 0.
int lprDirFor(Direction direction);
// Length of the base64 text of `bytes` bytes (padded, no line breaks).
std::size_t base64Length(std::size_t bytes);

// The snapshot as it will be sent: the spooled JPEG when it fits, else re-encoded smaller.
struct PreparedImage {
  enum class Status {
    None,       // no image to send (none given, or images are off)
    Original,   // the JPEG as spooled
    Reencoded,  // re-encoded (lower JPEG quality, then smaller) to fit
    Unusable,   // cannot be decoded or cannot be made to fit: the read goes without it
  };
  Status status = Status::None;
  std::string jpeg;    // what to send; empty unless Original or Reencoded
  std::string detail;  // for logs: "4000x3000 q70 → 1400x1050 q70, 250123 base64 chars"
};
std::string toString(PreparedImage::Status status);

// Makes `bytes` (any image OpenCV decodes) a JPEG whose base64 text is at most maxBase64Chars:
// kept as it is when it is a JPEG that fits; else re-encoded with OpenCV at lower qualities,
// then scaled down until it fits. maxBase64Chars 0 sends no image. Pure (no I/O).
PreparedImage fitImage(const std::string& bytes, std::size_t maxBase64Chars);

struct LprRequestOptions {
  bool includeLprIdAndDir = true;                   // false below firmware 2.40
  std::map<std::string, int> accessPointOverrides;  // source id → 0 | 1
};

// The body of POST /api/lpr/licenseplate and the values in it.
struct LprRequest {
  std::string json;
  std::string lprUuid;
  std::optional<std::int64_t> lprId;
  int accessPoint = 0;
  std::optional<int> lprDir;
  std::string plateText;
  std::size_t imageChars = 0;  // length of plateImage; 0 when there is none
};

// The event cannot be forwarded as it is (→ Reject); `why` names the problem.
struct LprRequestError {
  std::string why;
};

// PlateEvent → JSON body, keys in the documented order: lprUuid, lprID, accessPoint, plateText,
// lprDir, plateImage. plateText is the normalised plate (the raw text when that is empty) and
// must be 1–12 characters. `jpeg` (may be empty) is sent as plateImage. Pure.
std::variant<LprRequest, LprRequestError> toLprRequest(const PlateEvent& event,
                                                       const LprRequestOptions& options,
                                                       const std::string& jpeg);

}  // namespace lpr::plugins::sink_2n
