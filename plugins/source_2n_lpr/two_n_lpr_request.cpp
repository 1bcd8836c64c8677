#include "two_n_lpr_request.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/TextIterator.h>
#include <Poco/UTF8Encoding.h>
#include <Poco/UTF8String.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

namespace lpr::plugins::source_2n_lpr {

namespace {

using Poco::Dynamic::Var;

// Outcome of reading one field: absent, a value, or the error to answer.
template <typename T>
struct Field {
  std::optional<T> value;
  std::optional<TwoNError> error;
};

// JSON null counts as absent: a camera that has no value for an optional key may send null.
std::optional<Var> member(const Poco::JSON::Object& object, const std::string& name) {
  if (!object.has(name)) return std::nullopt;
  Var value = object.get(name);
  if (value.isEmpty()) return std::nullopt;
  return value;
}

bool isDecimal(const std::string& text) {
  std::size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
  if (i == text.size() || text.size() - i > 19) return false;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

// The 2N API documents numbers; cameras are not confirmed to send them as JSON numbers
// (camera-formats.md §2), so a decimal string is taken as well.
std::optional<std::int64_t> integerValue(const Var& value) {
  try {
    if (value.isBoolean()) return std::nullopt;
    if (value.isInteger()) return value.convert<Poco::Int64>();
    if (value.isNumeric()) {
      const double d = value.convert<double>();
      if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9.0e15) return std::nullopt;
      return static_cast<std::int64_t>(d);
    }
    if (value.isString()) {
      const std::string text = value.extract<std::string>();
      Poco::Int64 parsed = 0;
      if (!isDecimal(text) || !Poco::NumberParser::tryParse64(text, parsed)) return std::nullopt;
      return parsed;
    }
  } catch (const Poco::Exception&) {
    // e.g. an unsigned value beyond Int64
  }
  return std::nullopt;
}

TwoNError missing(const std::string& param) {
  return twoNError(kErrMissingParameter, param, "missing_field");
}

TwoNError badValue(const std::string& param) {
  return twoNError(kErrInvalidParameter, param, "bad_value");
}

Field<std::int64_t> integerField(const Poco::JSON::Object& object, const std::string& name,
                                 bool required, std::int64_t min, std::int64_t max) {
  auto value = member(object, name);
  if (!value) {
    if (required) return {std::nullopt, missing(name)};
    return {};
  }
  auto number = integerValue(*value);
  if (!number || *number < min || *number > max) return {std::nullopt, badValue(name)};
  return {number, std::nullopt};
}

bool isUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Number of characters, or nullopt for invalid UTF-8 or control characters (which would only
// corrupt log lines and downstream messages).
std::optional<std::size_t> printableLength(const std::string& text) {
  Poco::UTF8Encoding utf8;
  Poco::TextIterator it(text, utf8);
  Poco::TextIterator end(text);
  std::size_t count = 0;
  for (; it != end; ++it) {
    const int c = *it;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return std::nullopt;  // also -1: invalid UTF-8
    ++count;
  }
  return count;
}

std::string normalizePlate(const std::string& plateText) {
  std::string plate = Poco::UTF8::toUpper(plateText);
  std::erase(plate, ' ');
  return plate;
}

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Strict check first: Poco's decoder stops quietly at the first bad character instead of failing.
// Line breaks (MIME-style wrapping) are allowed; missing '=' padding is tolerated.
std::optional<std::string> decodeBase64(const std::string& text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    compact += c;
  }
  std::size_t padding = 0;
  while (!compact.empty() && compact.back() == '=' && padding < 2) {
    compact.pop_back();
    ++padding;
  }
  for (char c : compact) {
    if (!isBase64Char(c)) return std::nullopt;
  }
  const std::size_t rest = compact.size() % 4;
  if (rest == 1) return std::nullopt;
  if (padding > 0 && (compact.size() + padding) % 4 != 0) return std::nullopt;
  const std::size_t expected = compact.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1);
  if (rest != 0) compact.append(4 - rest, '=');

  std::istringstream in(compact);
  Poco::Base64Decoder decoder(in);
  std::string out;
  out.reserve(expected);
  char buffer[8192];
  while (decoder.read(buffer, sizeof(buffer)) || decoder.gcount() > 0) {
    out.append(buffer, static_cast<std::size_t>(decoder.gcount()));
  }
  if (out.size() != expected) return std::nullopt;
  return out;
}

std::string imageExtension(const std::string& image) {
  if (image.size() >= 8 && image.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return "png";
  return "jpg";  // what 2N documents, and what /api/lpr/image serves
}

Direction directionFromLprDir(std::optional<std::int64_t> lprDir) {
  if (lprDir == 2) return Direction::In;
  if (lprDir == 3) return Direction::Out;
  return Direction::Unknown;  // 0 unknown, 1 "in or out", or absent
}

}  // namespace

std::string twoNDescription(int code) {
  switch (code) {
    case 1:
      return "function is not supported";
    case 2:
      return "invalid request path";
    case kErrInvalidMethod:
      return "invalid request method";
    case 8:
      return "invalid authentication method";
    case kErrAuthorisationRequired:
      return "authorisation required";
    case 10:
      return "insufficient user privileges";
    case kErrMissingParameter:
      return "missing mandatory parameter";
    case kErrInvalidParameter:
      return "invalid parameter value";
    case kErrDataTooBig:
      return "parameter data too big";
    case kErrProcessing:
      return "unspecified processing error";
    default:
      return "unspecified processing error";
  }
}

TwoNError twoNError(int code, std::string param, std::string kind) {
  return TwoNError{code, std::move(param), twoNDescription(code), std::move(kind)};
}

std::string errorEnvelope(const TwoNError& error) {
  Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
  detail.set("code", error.code);
  if (!error.param.empty()) detail.set("param", error.param);
  detail.set("description", error.description);
  Poco::JSON::Object envelope(Poco::JSON_PRESERVE_KEY_ORDER);
  envelope.set("success", false);
  envelope.set("error", detail);
  std::ostringstream out;
  envelope.stringify(out);
  return out.str();
}

std::string successEnvelope() { return R"({"success":true})"; }

TwoNLprResult parseTwoNLprRequest(std::string_view body, TimePoint now,
                                  const TwoNLprOptions& options) {
  Var root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(std::string(body));
  } catch (const Poco::Exception&) {
    TwoNError error = twoNError(kErrInvalidParameter, {}, "malformed_json");
    error.description += " (body is not valid JSON)";
    return error;
  }
  if (root.type() != typeid(Poco::JSON::Object::Ptr) ||
      root.extract<Poco::JSON::Object::Ptr>().isNull()) {
    TwoNError error = twoNError(kErrInvalidParameter, {}, "malformed_json");
    error.description += " (body is not a JSON object)";
    return error;
  }
  const Poco::JSON::Object& object = *root.extract<Poco::JSON::Object::Ptr>();

  TwoNLprRequest request;
  PlateEvent& event = request.event;
  event.capturedAt = now;

  // lprUuid: the idempotency key; a camera resends the same one until it gets success.
  auto uuid = member(object, "lprUuid");
  if (!uuid) return missing("lprUuid");
  if (!uuid->isString() || !isUuid(uuid->extract<std::string>())) return badValue("lprUuid");
  event.sourceEventId = Poco::toLower(uuid->extract<std::string>());

  // lprID: mandatory since firmware 2.40, but cameras set up for older devices leave it out.
  auto lprId = integerField(object, "lprID", false, std::numeric_limits<std::int64_t>::min(),
                            std::numeric_limits<std::int64_t>::max());
  if (lprId.error) return *lprId.error;
  if (lprId.value) event.vehicleId = std::to_string(*lprId.value);

  if (options.accessPointOverride) {
    event.accessPoint = *options.accessPointOverride;
  } else {
    auto accessPoint = integerField(object, "accessPoint", true, 0, 1);
    if (accessPoint.error) return *accessPoint.error;
    event.accessPoint = static_cast<int>(*accessPoint.value);
  }

  // plateText: 1-12 characters as received (spaces count, as on the device). Too long is a
  // range error, so 12 "invalid parameter value", not 13 which 2N keeps for data size.
  auto plateText = member(object, "plateText");
  if (!plateText) return missing("plateText");
  if (!plateText->isString()) return badValue("plateText");
  const std::string text = plateText->extract<std::string>();
  const auto length = printableLength(text);
  if (!length || *length < 1 || *length > kMaxPlateTextChars) return badValue("plateText");
  event.plateRaw = text;
  event.plate = normalizePlate(text);
  if (event.plate.empty()) return badValue("plateText");

  auto lprDir = integerField(object, "lprDir", false, 0, 3);
  if (lprDir.error) return *lprDir.error;
  event.direction = directionFromLprDir(lprDir.value);
  if (lprDir.value) event.attributes["lprDir"] = std::to_string(*lprDir.value);

  auto image = member(object, "plateImage");
  if (image) {
    if (!image->isString()) return badValue("plateImage");
    const std::string& encoded = image->extract<std::string>();
    if (encoded.size() > options.maxImageChars) {
      return twoNError(kErrDataTooBig, "plateImage", "too_big");
    }
    auto decoded = decodeBase64(encoded);
    if (!decoded) return badValue("plateImage");
    request.image = std::move(*decoded);
    request.imageExtension = imageExtension(request.image);
  }
  return request;
}

}  // namespace lpr::plugins::source_2n_lpr
