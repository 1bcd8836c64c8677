#include "two_n_request.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA1Engine.h>
#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "test_env.h"

namespace lpr::plugins::sink_2n {
namespace {

PlateEvent makeEvent() {
  PlateEvent event;
  event.seq = 7;
  event.id = "3f0d5c1e-8a4b-4c43-9d07-5a1f2b3c4d5e";
  event.sourceId = "gate1_2n";
  event.sourceEventId = "6f1c2a9e-0d4b-4c1e-9a77-1b2c3d4e5f60";
  event.vehicleId = "4711";
  event.plateRaw = "ab 123 cd";
  event.plate = "AB123CD";
  event.direction = Direction::In;
  event.accessPoint = 0;
  return event;
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

LprRequest convert(const PlateEvent& event, const LprRequestOptions& options = {},
                   const std::string& jpeg = {}) {
  auto result = toLprRequest(event, options, jpeg);
  if (auto* error = std::get_if<LprRequestError>(&result)) {
    ADD_FAILURE() << "unexpected error: " << error->why;
    return {};
  }
  return std::get<LprRequest>(result);
}

std::string encodeJpeg(const cv::Mat& image, int quality) {
  std::vector<uchar> bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  return std::string(bytes.begin(), bytes.end());
}

// A camera-like frame: a gradient, noise (which JPEG cannot compress away) and a "plate".
cv::Mat makeFrame(int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  cv::RNG rng(4711);
  rng.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::rectangle(image, cv::Rect(width / 3, height / 2, width / 4, height / 12),
                cv::Scalar(255, 255, 255), cv::FILLED);
  cv::putText(image, "AB123CD", cv::Point(width / 3 + 10, height / 2 + height / 14),
              cv::FONT_HERSHEY_SIMPLEX, height / 400.0, cv::Scalar(0, 0, 0), 3);
  return image;
}

// ---- firmware ----------------------------------------------------------------------------

struct FirmwareCase {
  std::string swVersion;
  bool parses;
  bool supportsIdAndDir;
};

class FirmwareTest : public ::testing::TestWithParam<FirmwareCase> {};

TEST_P(FirmwareTest, GatesLprIdAndDirAt240) {
  const FirmwareCase& c = GetParam();
  auto version = parseFirmwareVersion(c.swVersion);
  EXPECT_EQ(version.has_value(), c.parses) << c.swVersion;
  EXPECT_EQ(supportsLprIdAndDir(version), c.supportsIdAndDir) << c.swVersion;

  PlateEvent event = makeEvent();
  LprRequestOptions options;
  options.includeLprIdAndDir = supportsLprIdAndDir(version);
  auto json = parse(convert(event, options).json);
  EXPECT_EQ(json->has("lprID"), c.supportsIdAndDir) << c.swVersion;
  EXPECT_EQ(json->has("lprDir"), c.supportsIdAndDir) << c.swVersion;
  EXPECT_TRUE(json->has("lprUuid"));
  EXPECT_TRUE(json->has("accessPoint"));
  EXPECT_TRUE(json->has("plateText"));
}

INSTANTIATE_TEST_SUITE_P(
    Versions, FirmwareTest,
    ::testing::Values(FirmwareCase{"2.39.1.44.2", true, false},
                      FirmwareCase{"2.35.0.45.0", true, false},
                      FirmwareCase{"2.40.0.0.0", true, true}, FirmwareCase{"2.40", true, true},
                      FirmwareCase{"2.47.1.59.5", true, true},
                      FirmwareCase{"3.1.0.10.1", true, true}, FirmwareCase{"1.99.9", true, false},
                      // Unknown firmware is taken as current: a device too old for lprID would
                      // say so with error 12, which is visible; silently leaving them out is not.
                      FirmwareCase{"", false, true}, FirmwareCase{"beta", false, true},
                      FirmwareCase{"2", false, true}, FirmwareCase{"2.x.1", false, true}));

TEST(FirmwareVersion, ComparesNumerically) {
  EXPECT_TRUE(parseFirmwareVersion("2.100.0")->atLeast(2, 40));
  EXPECT_FALSE(parseFirmwareVersion("2.4.99")->atLeast(2, 40));
  EXPECT_EQ(parseFirmwareVersion("2.39.1.44.2")->toString(), "2.39.1.44.2");
}

// ---- the body ----------------------------------------------------------------------------

TEST(LprRequest, FullBodyHasTheDocumentedKeysInOrder) {
  LprRequest request = convert(makeEvent());
  EXPECT_EQ(request.json,
            R"({"lprUuid":")" + lprUuidFor(makeEvent().id) +
                R"(","lprID":4711,"accessPoint":0,"plateText":"AB123CD","lprDir":2})");
  EXPECT_EQ(request.lprId, 4711);
  EXPECT_EQ(request.lprDir, 2);
  EXPECT_EQ(request.imageChars, 0u);
}

TEST(LprRequest, DirectionMapsToLprDir) {
  EXPECT_EQ(lprDirFor(Direction::In), 2);
  EXPECT_EQ(lprDirFor(Direction::Out), 3);
  EXPECT_EQ(lprDirFor(Direction::Unknown), 0);
  PlateEvent event = makeEvent();
  event.direction = Direction::Out;
  EXPECT_EQ(parse(convert(event).json)->getValue<int>("lprDir"), 3);
  event.direction = Direction::Unknown;
  EXPECT_EQ(parse(convert(event).json)->getValue<int>("lprDir"), 0);
}

TEST(LprRequest, LprUuidIsNewPerReadButStableAcrossRetries) {
  const std::regex v5("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  PlateEvent event = makeEvent();
  const std::string first = convert(event).lprUuid;
  EXPECT_TRUE(std::regex_match(first, v5)) << first;
  EXPECT_EQ(convert(event).lprUuid, first) << "a retried event must carry the same lprUuid";
  // Not the camera's id: the gateway's read is a read of its own.
  EXPECT_NE(first, event.sourceEventId);
  std::set<std::string> seen{first};
  for (int i = 0; i < 100; ++i) {
    event.id = "event-" + std::to_string(i);
    EXPECT_TRUE(seen.insert(convert(event).lprUuid).second) << event.id;
  }
}

TEST(LprRequest, PocoNameBasedUuidsFollowRfc4122) {
  // The RFC 4122 / Python uuid5(NAMESPACE_DNS, "python.org") vector: lprUuidFor relies on Poco
  // building version-5 UUIDs the standard way.
  Poco::SHA1Engine sha1;
  EXPECT_EQ(
      Poco::UUIDGenerator::defaultGenerator()
          .createFromName(Poco::UUID::dns(), "python.org", sha1, Poco::UUID::UUID_NAME_BASED_SHA1)
          .toString(),
      "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

struct LprIdCase {
  std::string name;
  std::string sourceId;
  std::string vehicleId;
  std::string eventId;
  std::int64_t expected;  // -1: a hash (checked for range and stability)
};

class LprIdTest : public ::testing::TestWithParam<LprIdCase> {};

TEST_P(LprIdTest, IsStableAnd31Bit) {
  const LprIdCase& c = GetParam();
  PlateEvent event = makeEvent();
  event.sourceId = c.sourceId;
  event.vehicleId = c.vehicleId;
  event.id = c.eventId;
  const std::int64_t id = lprIdFor(event);
  EXPECT_GE(id, 0);
  EXPECT_LE(id, 0x7FFFFFFF);
  if (c.expected >= 0) {
    EXPECT_EQ(id, c.expected);
  }
  // Stable: the same inputs give the same id, whatever else the event carries.
  PlateEvent again = event;
  again.plate = "OTHER1";
  again.seq = 99;
  again.direction = Direction::Out;
  if (!c.vehicleId.empty()) again.id = "another-read-of-the-same-vehicle";
  EXPECT_EQ(lprIdFor(again), id);
}

INSTANTIATE_TEST_SUITE_P(
    Vehicles, LprIdTest,
    ::testing::Values(LprIdCase{"numeric", "gate1", "4711", "e1", 4711},
                      LprIdCase{"zero", "gate1", "0", "e1", 0},
                      LprIdCase{"max31", "gate1", "2147483647", "e1", 2147483647},
                      LprIdCase{"beyond31", "gate1", "2147483648", "e1", -1},
                      LprIdCase{"long_number", "gate1", "123456789012345", "e1", -1},
                      LprIdCase{"negative", "gate1", "-5", "e1", -1},
                      LprIdCase{"track_uuid", "axis1", "c0ffee-track-17", "e1", -1},
                      LprIdCase{"no_vehicle", "gate1", "", "3f0d5c1e-8a4b", -1}),
    [](const ::testing::TestParamInfo<LprIdCase>& info) { return info.param.name; });

TEST(LprRequest, HashedLprIdDependsOnSourceAndVehicle) {
  PlateEvent a = makeEvent();
  a.vehicleId = "track-17";
  PlateEvent b = a;
  b.sourceId = "gate2_axis";
  PlateEvent c = a;
  c.vehicleId = "track-18";
  EXPECT_NE(lprIdFor(a), lprIdFor(b));
  EXPECT_NE(lprIdFor(a), lprIdFor(c));
  // No vehicle id: every read is its own vehicle.
  PlateEvent d = makeEvent(), e = makeEvent();
  d.vehicleId = e.vehicleId = "";
  e.id = "another-event";
  EXPECT_NE(lprIdFor(d), lprIdFor(e));
  // Pinned values: changing the hash would change every id a device has seen.
  PlateEvent pinned = makeEvent();
  pinned.sourceId = "gate1";
  pinned.vehicleId = "track-17";
  EXPECT_EQ(lprIdFor(pinned), 1222595502);
  PlateEvent noVehicle = makeEvent();
  noVehicle.vehicleId.clear();
  EXPECT_EQ(lprIdFor(noVehicle), 1938907723);  // from the event id
}

TEST(LprRequest, AccessPointComesFromTheEventOrTheOverride) {
  PlateEvent event = makeEvent();
  event.accessPoint = 1;
  EXPECT_EQ(convert(event).accessPoint, 1);
  LprRequestOptions options;
  options.accessPointOverrides = {{"gate1_2n", 0}, {"other", 1}};
  EXPECT_EQ(convert(event, options).accessPoint, 0);
  event.sourceId = "exit_cam";
  EXPECT_EQ(convert(event, options).accessPoint, 1);
  event.accessPoint = 5;
  EXPECT_TRUE(std::holds_alternative<LprRequestError>(toLprRequest(event, {}, {})));
}

TEST(LprRequest, PlateTextLimits) {
  PlateEvent event = makeEvent();
  event.plate = "ABCDEFGHIJKL";  // 12
  EXPECT_EQ(convert(event).plateText, "ABCDEFGHIJKL");
  event.plate = "ÄÖÜÄÖÜÄÖÜÄÖÜ";  // 12 characters, 24 bytes
  EXPECT_EQ(parse(convert(event).json)->getValue<std::string>("plateText"), event.plate);

  event.plate = "ABCDEFGHIJKLM";  // 13
  auto tooLong = toLprRequest(event, {}, {});
  ASSERT_TRUE(std::holds_alternative<LprRequestError>(tooLong));
  EXPECT_NE(std::get<LprRequestError>(tooLong).why.find("13 characters"), std::string::npos);
  EXPECT_EQ(std::get<LprRequestError>(tooLong).why.find("ABCDEFGHIJKLM"), std::string::npos)
      << "plates are personal data: not in the reason";

  event.plate = "";
  event.plateRaw = "ab 12";
  EXPECT_EQ(convert(event).plateText, "ab 12") << "the raw text when nothing was normalised";
  event.plateRaw = "";
  EXPECT_TRUE(std::holds_alternative<LprRequestError>(toLprRequest(event, {}, {})));
}

TEST(LprRequest, PlateTextIsJsonEscaped) {
  PlateEvent event = makeEvent();
  event.plate = "A\"B\\C";
  EXPECT_EQ(parse(convert(event).json)->getValue<std::string>("plateText"), "A\"B\\C");
}

TEST(LprRequest, ImageIsBase64WithoutLineBreaks) {
  const std::string jpeg = encodeJpeg(makeFrame(320, 240), 80);
  LprRequest request = convert(makeEvent(), {}, jpeg);
  auto json = parse(request.json);
  const std::string text = json->getValue<std::string>("plateImage");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text.size(), base64Length(jpeg.size()));
  EXPECT_EQ(request.imageChars, text.size());
  EXPECT_EQ(lpr::testing::decodeBase64(text), jpeg);
}

// ---- the image ---------------------------------------------------------------------------

TEST(FitImage, SmallJpegIsSentAsItIs) {
  const std::string jpeg = encodeJpeg(makeFrame(640, 480), 75);
  ASSERT_LT(base64Length(jpeg.size()), kMaxPlateImageChars);
  PreparedImage image = fitImage(jpeg, kMaxPlateImageChars);
  EXPECT_EQ(image.status, PreparedImage::Status::Original);
  EXPECT_EQ(image.jpeg, jpeg);
}

TEST(FitImage, LargeJpegIsReencodedToFit256kB) {
  // 1920x1080 of noise at quality 95: several MB, far beyond what lower quality alone fixes.
  const cv::Mat frame = makeFrame(1920, 1080);
  const std::string big = encodeJpeg(frame, 95);
  ASSERT_GT(base64Length(big.size()), 4 * kMaxPlateImageChars) << big.size();
  PreparedImage image = fitImage(big, kMaxPlateImageChars);
  ASSERT_EQ(image.status, PreparedImage::Status::Reencoded) << image.detail;
  EXPECT_LE(base64Length(image.jpeg.size()), kMaxPlateImageChars) << image.detail;
  EXPECT_GT(base64Length(image.jpeg.size()), kMaxPlateImageChars / 4)
      << "shrunk far more than needed: " << image.detail;
  const cv::Mat decoded =
      cv::imdecode(std::vector<uchar>(image.jpeg.begin(), image.jpeg.end()), cv::IMREAD_COLOR);
  ASSERT_FALSE(decoded.empty());
  EXPECT_NEAR(static_cast<double>(decoded.cols) / decoded.rows, 1920.0 / 1080.0, 0.02)
      << "aspect ratio kept: " << image.detail;
  std::cout << "[ observed ] " << image.detail << "\n";

  // And the whole request stays within the limit.
  LprRequest request = convert(makeEvent(), {}, image.jpeg);
  EXPECT_LE(request.imageChars, kMaxPlateImageChars);
}

TEST(FitImage, SlightlyTooLargeJpegOnlyLosesQuality) {
  // A smooth frame: a lower quality is enough, the resolution stays.
  cv::Mat noise(1080, 1920, CV_8UC3);
  cv::RNG(11).fill(noise, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::Mat frame;
  cv::GaussianBlur(noise, frame, cv::Size(0, 0), 2.0);
  const std::string jpeg = encodeJpeg(frame, 100);
  const std::size_t chars = base64Length(jpeg.size());
  if (chars <= kMaxPlateImageChars) GTEST_SKIP() << "frame already fits: " << chars;
  PreparedImage image = fitImage(jpeg, kMaxPlateImageChars);
  ASSERT_EQ(image.status, PreparedImage::Status::Reencoded) << image.detail;
  EXPECT_LE(base64Length(image.jpeg.size()), kMaxPlateImageChars);
  EXPECT_NE(image.detail.find("1920x1080 q"), std::string::npos) << image.detail;
}

TEST(FitImage, PngBecomesJpeg) {
  std::vector<uchar> png;
  cv::imencode(".png", makeFrame(200, 100), png);
  PreparedImage image = fitImage(std::string(png.begin(), png.end()), kMaxPlateImageChars);
  ASSERT_EQ(image.status, PreparedImage::Status::Reencoded) << image.detail;
  EXPECT_EQ(static_cast<unsigned char>(image.jpeg[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(image.jpeg[1]), 0xD8);
}

TEST(FitImage, GarbageIsUnusableAndNothingIsNone) {
  PreparedImage garbage = fitImage(std::string(5000, 'x'), kMaxPlateImageChars);
  EXPECT_EQ(garbage.status, PreparedImage::Status::Unusable);
  EXPECT_TRUE(garbage.jpeg.empty());
  EXPECT_FALSE(garbage.detail.empty());
  // A truncated JPEG too big to send as it is: OpenCV cannot decode it either.
  std::string truncated = encodeJpeg(makeFrame(1920, 1080), 95).substr(0, 400000);
  truncated.resize(400000);
  EXPECT_NE(fitImage(truncated, kMaxPlateImageChars).status, PreparedImage::Status::Original);
  EXPECT_EQ(fitImage({}, kMaxPlateImageChars).status, PreparedImage::Status::None);
  EXPECT_EQ(fitImage(encodeJpeg(makeFrame(64, 64), 80), 0).status, PreparedImage::Status::None);
}

TEST(FitImage, SmallLimitsAreHonoured) {
  PreparedImage image = fitImage(encodeJpeg(makeFrame(800, 600), 90), 20000);
  ASSERT_EQ(image.status, PreparedImage::Status::Reencoded) << image.detail;
  EXPECT_LE(base64Length(image.jpeg.size()), 20000u);
}

}  // namespace
}  // namespace lpr::plugins::sink_2n
