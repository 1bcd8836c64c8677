#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bus/plate_event.h"

namespace lpr {

// What a webhook converter sees of one request: plain values, so converters stay pure and a
// fuzzer can drive them without a server.
struct WebhookRequest {
  std::string method = "POST";
  std::string path;         // without the query
  std::string query;        // raw, without '?'
  std::string contentType;  // the whole header value, parameters included
  std::string body;
  TimePoint receivedAt{};  // capturedAt for payloads that carry no time
};

// One plate read found in a payload. The event carries what the payload says (sourceEventId,
// vehicleId, plateRaw, plate, confidence 0..1, country, direction, capturedAt in UTC,
// attributes); sourceId and accessPoint are the route's to set.
struct ConvertedRead {
  PlateEvent event;
  std::string image;  // decoded bytes, empty when the payload has none
  std::string imageExtension = "jpg";
};

// Why a payload was refused. `kind` is the lpr_input_errors_total label (malformed_json,
// malformed_xml, malformed_multipart, missing_field, bad_value, unsupported_type); `field`
// names the offending field when there is one.
struct InputError {
  std::string kind;
  std::string field;
  std::string message;
};

struct Conversion {
  std::vector<ConvertedRead> reads;
  // A keep-alive or status post: answered with success, reflected in health, no event.
  bool heartbeat = false;
  // Why a well-formed payload produced no read (a preview, a non-plate object); empty otherwise.
  std::string ignored;
  std::optional<InputError> error;
  // Problems that cost a part of the payload but not the read (an image that is not base64):
  // counted and logged, the read still goes in.
  std::vector<InputError> warnings;

  static Conversion failure(std::string kind, std::string field, std::string message) {
    return failure(InputError{std::move(kind), std::move(field), std::move(message)});
  }
  static Conversion failure(InputError error) {
    Conversion c;
    c.error = std::move(error);
    return c;
  }
};

}  // namespace lpr
