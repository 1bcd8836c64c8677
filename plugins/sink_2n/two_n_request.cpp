#include "two_n_request.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>
#include <Poco/SHA1Engine.h>
#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

namespace lpr::plugins::sink_2n {

namespace {

// Namespace of the name-based lprUuids (random, fixed forever: changing it changes every id).
const Poco::UUID kLprUuidNamespace("6b1f0c3e-92d4-4c5a-8e07-3a9d2f6b1c44");

constexpr std::int64_t kMax31 = 0x7FFFFFFF;

// FNV-1a, 64 bit: stable across builds and platforms (std::hash is not).
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::int64_t hash31(const std::string& text) {
  const std::uint64_t h = fnv1a(text);
  const auto folded = static_cast<std::int64_t>((h ^ (h >> 31) ^ (h >> 62)) & kMax31);
  return folded == 0 ? 1 : folded;  // 0 reads like "no id"
}

std::size_t utf8Length(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

bool isJpeg(const std::string& bytes) {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xD8 &&
         static_cast<unsigned char>(bytes[2]) == 0xFF;
}

std::string dimensions(const cv::Mat& image) {
  return std::to_string(image.cols) + "x" + std::to_string(image.rows);
}

}  // namespace

bool FirmwareVersion::atLeast(int major, int minor) const {
  const int have[2] = {parts.empty() ? 0 : parts[0], parts.size() < 2 ? 0 : parts[1]};
  if (have[0] != major) return have[0] > major;
  return have[1] >= minor;
}

std::string FirmwareVersion::toString() const {
  std::string out;
  for (int part : parts) out += (out.empty() ? "" : ".") + std::to_string(part);
  return out;
}

std::optional<FirmwareVersion> parseFirmwareVersion(const std::string& swVersion) {
  FirmwareVersion out;
  std::string part;
  std::istringstream in(swVersion);
  while (std::getline(in, part, '.')) {
    int value = 0;
    if (part.empty() || part.size() > 6 || !std::all_of(part.begin(), part.end(), ::isdigit) ||
        !Poco::NumberParser::tryParse(part, value)) {
      return std::nullopt;
    }
    out.parts.push_back(value);
  }
  if (out.parts.size() < 2) return std::nullopt;
  return out;
}

bool supportsLprIdAndDir(const std::optional<FirmwareVersion>& firmware) {
  return !firmware || firmware->atLeast(2, 40);
}

std::string lprUuidFor(const std::string& eventId) {
  Poco::SHA1Engine sha1;
  return Poco::UUIDGenerator::defaultGenerator()
      .createFromName(kLprUuidNamespace, eventId, sha1, Poco::UUID::UUID_NAME_BASED_SHA1)
      .toString();
}

std::int64_t lprIdFor(const PlateEvent& event) {
  const std::string& vehicle = event.vehicleId;
  if (!vehicle.empty() && vehicle.size() <= 10 &&
      std::all_of(vehicle.begin(), vehicle.end(), ::isdigit)) {
    const long long value = std::stoll(vehicle);
    if (value <= kMax31) return value;
  }
  if (!vehicle.empty()) return hash31(event.sourceId + '\n' + vehicle);
  return hash31(event.id);
}

int lprDirFor(Direction direction) {
  switch (direction) {
    case Direction::In:
      return 2;
    case Direction::Out:
      return 3;
    default:
      return 0;
  }
}

std::size_t base64Length(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

std::string toString(PreparedImage::Status status) {
  switch (status) {
    case PreparedImage::Status::None:
      return "none";
    case PreparedImage::Status::Original:
      return "original";
    case PreparedImage::Status::Reencoded:
      return "reencoded";
    case PreparedImage::Status::Unusable:
      return "unusable";
  }
  return "unknown";
}

PreparedImage fitImage(const std::string& bytes, std::size_t maxBase64Chars) {
  PreparedImage out;
  if (bytes.empty() || maxBase64Chars == 0) return out;
  const std::size_t maxBytes = maxBase64Chars / 4 * 3;
  if (isJpeg(bytes) && bytes.size() <= maxBytes) {
    out.status = PreparedImage::Status::Original;
    out.jpeg = bytes;
    out.detail = std::to_string(base64Length(bytes.size())) + " base64 chars";
    return out;
  }
  auto unusable = [&](std::string why) {
    out.status = PreparedImage::Status::Unusable;
    out.jpeg.clear();
    out.detail = std::move(why);
    return out;
  };
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    const cv::Mat image = cv::imdecode(raw, cv::IMREAD_COLOR);
    if (image.empty()) {
      return unusable("not an image OpenCV can decode (" + std::to_string(bytes.size()) +
                      " bytes)");
    }
    const std::string from = dimensions(image) + (isJpeg(bytes) ? " JPEG " : " image ") +
                             std::to_string(bytes.size()) + " bytes";
    std::vector<uchar> encoded;
    auto fits = [&](const cv::Mat& m, int quality) {
      encoded.clear();
      cv::imencode(".jpg", m, encoded, {cv::IMWRITE_JPEG_QUALITY, quality});
      if (encoded.empty() || encoded.size() > maxBytes) return false;
      out.status = PreparedImage::Status::Reencoded;
      out.jpeg.assign(encoded.begin(), encoded.end());
      out.detail = from + " → " + dimensions(m) + " q" + std::to_string(quality) + ", " +
                   std::to_string(base64Length(out.jpeg.size())) + " base64 chars";
      return true;
    };
    // Lower quality first: it keeps the resolution that plate reading needs.
    for (int quality : {85, 70, 55, 40}) {
      if (fits(image, quality)) return out;
    }
    // Then smaller: the size of a JPEG grows about with its area.
    double scale = encoded.empty() ? 0.5
                                   : std::min(0.9, std::sqrt(static_cast<double>(maxBytes) /
                                                             static_cast<double>(encoded.size())) *
                                                       0.9);
    cv::Mat smaller;
    for (int round = 0; round < 16; ++round) {
      const int width = static_cast<int>(image.cols * scale);
      const int height = static_cast<int>(image.rows * scale);
      if (width < 16 || height < 16) break;
      cv::resize(image, smaller, cv::Size(width, height), 0, 0, cv::INTER_AREA);
      for (int quality : {70, 55}) {
        if (fits(smaller, quality)) return out;
      }
      scale *= 0.75;
    }
    return unusable(from + " cannot be made to fit " + std::to_string(maxBase64Chars) +
                    " base64 chars");
  } catch (const cv::Exception& e) {
    return unusable(std::string("OpenCV failed: ") + e.what());
  }
}

std::variant<LprRequest, LprRequestError> toLprRequest(const PlateEvent& event,
                                                       const LprRequestOptions& options,
                                                       const std::string& jpeg) {
  LprRequest out;
  out.plateText = event.plate.empty() ? event.plateRaw : event.plate;
  const std::size_t length = utf8Length(out.plateText);
  if (length == 0) return LprRequestError{"the event has no plate text (2N wants 1-12 characters)"};
  if (length > kMaxPlateTextChars) {
    return LprRequestError{
        "plate text has " + std::to_string(length) +
        " characters, 2N takes 1-12 (set the camera's maximum plate length to 12, "
        "or shorten plates in a processor)"};
  }
  out.accessPoint = event.accessPoint;
  if (auto it = options.accessPointOverrides.find(event.sourceId);
      it != options.accessPointOverrides.end()) {
    out.accessPoint = it->second;
  }
  if (out.accessPoint != 0 && out.accessPoint != 1) {
    return LprRequestError{"access point " + std::to_string(out.accessPoint) +
                           " is neither 0 (entry) nor 1 (exit)"};
  }
  out.lprUuid = lprUuidFor(event.id);
  if (options.includeLprIdAndDir) {
    out.lprId = lprIdFor(event);
    out.lprDir = lprDirFor(event.direction);
  }

  Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
  json.set("lprUuid", out.lprUuid);
  if (out.lprId) json.set("lprID", static_cast<Poco::Int64>(*out.lprId));
  json.set("accessPoint", out.accessPoint);
  json.set("plateText", out.plateText);
  if (out.lprDir) json.set("lprDir", *out.lprDir);
  if (!jpeg.empty()) {
    std::string image = base64(jpeg);
    out.imageChars = image.size();
    json.set("plateImage", std::move(image));
  }
  std::ostringstream text;
  json.stringify(text);
  out.json = text.str();
  return out;
}

}  // namespace lpr::plugins::sink_2n
