#include "webhook/payload_values.h"

#include <Poco/Base64Decoder.h>
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/DigestEngine.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/SHA1Engine.h>

#include <charconv>
#include <cmath>
#include <sstream>

namespace lpr {

namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

constexpr std::int64_t kYear2000Ms = 946684800000LL;
constexpr std::int64_t kYear2100Ms = 4102444800000LL;

}  // namespace

std::optional<std::string> decodeBase64(std::string_view text, std::size_t maxBytes) {
  text = trim(text);
  if (text.rfind("data:", 0) == 0) {
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || text.substr(0, comma).find(";base64") == text.npos) {
      return std::nullopt;
    }
    text.remove_prefix(comma + 1);
  }
  std::string clean;
  clean.reserve(text.size());
  std::size_t padding = 0;
  for (char c : text) {
    if (isSpace(c)) continue;
    if (c == '=') {
      ++padding;
    } else if (padding > 0 || !isBase64Char(c)) {
      return std::nullopt;  // data after padding, or not base64 at all
    }
    clean.push_back(c);
  }
  if (padding > 2) return std::nullopt;
  const std::size_t dataChars = clean.size() - padding;
  if (dataChars % 4 == 1) return std::nullopt;  // no byte sequence encodes to that
  if (padding > 0 && clean.size() % 4 != 0) return std::nullopt;
  if (dataChars / 4 * 3 + (dataChars % 4 ? dataChars % 4 - 1 : 0) > maxBytes) return std::nullopt;
  while (clean.size() % 4 != 0) clean.push_back('=');
  try {
    std::istringstream in(clean);
    Poco::Base64Decoder decoder(in);
    std::string out;
    out.reserve(clean.size() / 4 * 3);
    char buffer[4096];
    while (decoder) {
      decoder.read(buffer, sizeof(buffer));
      out.append(buffer, static_cast<std::size_t>(decoder.gcount()));
    }
    return out;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::string imageExtension(std::string_view bytes) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8 &&
      static_cast<unsigned char>(bytes[2]) == 0xFF) {
    return "jpg";
  }
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) {
    return "png";
  }
  return {};
}

std::string contentId(std::initializer_list<std::string_view> values) {
  Poco::SHA1Engine sha1;
  for (auto value : values) {
    const std::string length = std::to_string(value.size()) + ":";
    sha1.update(length);
    sha1.update(value.data(), static_cast<unsigned>(value.size()));
  }
  return "sha1:" + Poco::DigestEngine::digestToHex(sha1.digest());
}

std::optional<std::string> jsonText(const Poco::JSON::Object& object, const std::string& key) {
  if (!object.has(key)) return std::nullopt;
  const Poco::Dynamic::Var value = object.get(key);
  if (value.isEmpty()) return std::nullopt;
  if (value.isString()) return value.extract<std::string>();
  if (value.isNumeric() || value.isBoolean()) {
    try {
      return value.convert<std::string>();
    } catch (const Poco::Exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<double> parseNumber(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> jsonNumber(const Poco::JSON::Object& object, const std::string& key) {
  if (!object.has(key)) return std::nullopt;
  const Poco::Dynamic::Var value = object.get(key);
  if (value.isEmpty() || value.isBoolean()) return std::nullopt;
  if (value.isString()) return parseNumber(value.extract<std::string>());
  if (!value.isNumeric()) return std::nullopt;
  try {
    const double number = value.convert<double>();
    if (!std::isfinite(number)) return std::nullopt;
    return number;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::optional<InputError> plateTextProblem(const std::optional<std::string>& plate,
                                           const std::string& field) {
  if (!plate) return InputError{"missing_field", field, "no plate text"};
  bool control = false;
  for (unsigned char c : *plate) control = control || c < 0x20 || c == 0x7f;
  if (plate->empty() || plate->size() > 32 || control) {
    return InputError{"bad_value", field, "empty, longer than 32 bytes or with control characters"};
  }
  return std::nullopt;
}

std::optional<double> normalizedConfidence(double value, double scale) {
  if (!std::isfinite(value) || value < 0 || value > scale || scale <= 0) return std::nullopt;
  return value / scale;
}

std::optional<LocalZone> LocalZone::parse(std::string_view text) {
  text = trim(text);
  if (text == "system") return LocalZone{Kind::System, 0, std::nullopt};
  if (text == "UTC" || text == "utc" || text == "Z") return fixed(0);
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    int hours = 0, minutes = 0;
    if (text.size() != 6 || text[3] != ':' || !digits(text, 1, 2, hours) ||
        !digits(text, 4, 2, minutes) || hours > 14 || minutes > 59) {
      return std::nullopt;
    }
    const int offset = hours * 60 + minutes;
    return fixed(text[0] == '-' ? -offset : offset);
  }
  if (auto named = NamedZone::find(text)) return LocalZone{Kind::Named, 0, std::move(named)};
  return std::nullopt;
}

std::string LocalZone::toString() const {
  if (kind == Kind::System) return "system";
  if (kind == Kind::Named) return zone->name();
  if (offsetMinutes == 0) return "UTC";
  const int magnitude = std::abs(offsetMinutes);
  char text[16];
  std::snprintf(text, sizeof(text), "%c%02d:%02d", offsetMinutes < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return text;
}

TimePoint LocalZone::toUtc(const std::tm& local, int milliseconds) const {
  if (kind == Kind::Named) return zone->toUtc(local) + std::chrono::milliseconds(milliseconds);
  std::tm copy = local;
  std::time_t seconds = 0;
  if (kind == Kind::System) {
    copy.tm_isdst = -1;  // let the zone rules say whether DST applies
    seconds = std::mktime(&copy);
  } else {
    seconds = timegm(&copy) - static_cast<std::time_t>(offsetMinutes) * 60;
  }
  return Clock::from_time_t(seconds) + std::chrono::milliseconds(milliseconds);
}

std::optional<std::tm> parseLocalDateTime(std::string_view text, int* milliseconds) {
  text = trim(text);
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || !digits(text, 0, 4, year) || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  int ms = 0;
  if (text.size() > 19) {
    if (text[19] != '.' || text.size() == 20 || text.size() > 29) return std::nullopt;
    const std::string_view fraction = text.substr(20);
    for (char c : fraction) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    for (std::size_t i = 0; i < 3; ++i)
      ms = ms * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  // Outside 2000..2100 the camera has no NTP (or the value is junk), and far years would overflow
  // the nanosecond clock in toUtc().
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  if (milliseconds) *milliseconds = ms;
  return tm;
}

std::optional<TimePoint> parseIsoWithZone(std::string_view text) {
  text = trim(text);
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  const std::string_view time = text.substr(10);
  if (time.find_first_of("Zz+-") == std::string_view::npos) return std::nullopt;
  Poco::DateTime parsed;
  int tzd = 0;
  const std::string value(text);
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, value, parsed,
                                      tzd)) {
    return std::nullopt;
  }
  parsed.makeUTC(tzd);
  const auto ms = parsed.timestamp().epochMicroseconds() / 1000;
  if (ms < kYear2000Ms || ms > kYear2100Ms) return std::nullopt;
  return TimePoint(std::chrono::milliseconds(ms));
}

std::optional<TimePoint> fromEpochMs(double ms) {
  if (!std::isfinite(ms) || ms < static_cast<double>(kYear2000Ms) ||
      ms > static_cast<double>(kYear2100Ms)) {
    return std::nullopt;
  }
  return TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(ms)));
}

std::optional<TimePoint> fromEpochSeconds(double seconds) {
  if (!std::isfinite(seconds)) return std::nullopt;
  return fromEpochMs(seconds * 1000.0);
}

}  // namespace lpr
