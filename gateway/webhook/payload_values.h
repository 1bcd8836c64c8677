#pragma once

#include <Poco/JSON/Object.h>

#include <ctime>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "bus/plate_event.h"
#include "util/named_zone.h"
#include "webhook/webhook_conversion.h"

// Small pure helpers the webhook converters share: vendors disagree on types (numbers sent as
// strings), encodings (base64 with or without a data: prefix) and clocks (UTC, local, epoch).
namespace lpr {

// Strict base64 (RFC 4648, padding optional, whitespace and a leading "data:...;base64," ignored);
// nullopt when the text is not base64 or decodes to more than maxBytes.
std::optional<std::string> decodeBase64(std::string_view text, std::size_t maxBytes);

// "jpg" or "png" by the image's magic bytes; empty for anything else.
std::string imageExtension(std::string_view bytes);

// A stable id for payloads that carry none, so a re-sent push is recognised: "sha1:<hex>" of the
// values, each length-prefixed so that ("ab","c") and ("a","bc") differ.
std::string contentId(std::initializer_list<std::string_view> values);

// A member as text: strings as they are, numbers and booleans printed; nullopt when absent, null,
// an object or an array.
std::optional<std::string> jsonText(const Poco::JSON::Object& object, const std::string& key);
// A member as a number, also from a numeric string; nullopt when absent or not a finite number.
std::optional<double> jsonNumber(const Poco::JSON::Object& object, const std::string& key);
// Parses a decimal number from text (surrounding spaces allowed); nullopt otherwise.
std::optional<double> parseNumber(std::string_view text);

// Why a plate text cannot make a read: absent (missing_field), or empty, over 32 bytes or with
// control characters (bad_value); nullopt when it can.
std::optional<InputError> plateTextProblem(const std::optional<std::string>& plate,
                                           const std::string& field);

// A vendor confidence on a 0..scale scale as 0..1; nullopt when outside the scale.
std::optional<double> normalizedConfidence(double value, double scale);

// How a source's local times map to UTC:
// `time_zone = UTC | +HH:MM | -HH:MM | system | <IANA zone name, e.g. Europe/Prague>`.
struct LocalZone {
  enum class Kind { Fixed, System, Named };
  Kind kind = Kind::Fixed;
  int offsetMinutes = 0;          // east of UTC, for Fixed
  std::optional<NamedZone> zone;  // for Named

  static std::optional<LocalZone> parse(std::string_view text);
  static LocalZone fixed(int offsetMinutes) { return {Kind::Fixed, offsetMinutes, std::nullopt}; }
  std::string toString() const;
  // The UTC time of a local wall-clock time (tm_year.. tm_sec) plus milliseconds.
  TimePoint toUtc(const std::tm& local, int milliseconds = 0) const;
};

// "YYYY-MM-DD HH:MM:SS[.fff]" or with 'T' instead of the space, no zone, year 2000..2100;
// nullopt otherwise.
std::optional<std::tm> parseLocalDateTime(std::string_view text, int* milliseconds);
// ISO 8601 with a zone ("2026-11-24T20:30:06+01:00", "...Z", fractions allowed) → UTC;
// nullopt when it has no zone or does not parse.
std::optional<TimePoint> parseIsoWithZone(std::string_view text);
// Milliseconds or seconds (fractional) since the epoch; nullopt outside 2000..2100.
std::optional<TimePoint> fromEpochMs(double ms);
std::optional<TimePoint> fromEpochSeconds(double seconds);

}  // namespace lpr
