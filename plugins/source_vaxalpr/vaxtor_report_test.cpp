#include "vaxtor_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "converter_checks.h"
#include "webhook/seed_request.h"

namespace lpr::plugins::source_vaxalpr {
namespace {

const std::string kPlateJpeg(
    "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9", 22);
const std::string kOverviewJpeg(
    "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00\xff\xd9", 22);

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Conversion convertFile(const std::string& name, VaxtorOptions options = {}) {
  return convertVaxtorReport(requestFromSeed(readFile(std::string(PLUGIN_TESTDATA) + "/" + name)),
                             options);
}

// A copy: callers pass temporaries.
ConvertedRead onlyRead(const Conversion& c) {
  EXPECT_FALSE(c.error) << c.error->field << ": " << c.error->message;
  EXPECT_EQ(c.reads.size(), 1u);
  return c.reads.empty() ? ConvertedRead{} : c.reads.front();
}

TimePoint ms(long long value) { return TimePoint(std::chrono::milliseconds(value)); }

TEST(VaxtorReport, FullTemplateMapsEveryField) {
  const Conversion c = convertFile("good_full.json");
  const ConvertedRead read = onlyRead(c);
  const PlateEvent& e = read.event;
  EXPECT_EQ(e.plateRaw, "AB123CD");
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_EQ(e.country, "ITA");
  EXPECT_DOUBLE_EQ(e.confidence.value_or(-1), 0.92);
  EXPECT_EQ(e.direction, Direction::In) << "1 = towards the camera = in by default";
  EXPECT_EQ(e.capturedAt, ms(1718000000123));
  EXPECT_TRUE(e.vehicleId.empty()) << "VaxALPR has no vehicle id";
  EXPECT_EQ(e.sourceEventId.rfind("sha1:", 0), 0u);
  EXPECT_EQ(e.attributes.at("camera"), "gate-north");
  EXPECT_EQ(e.attributes.at("movement"), "towards");
  EXPECT_EQ(e.attributes.at("roi"), "1");
  EXPECT_EQ(e.attributes.at("reads"), "3");
  EXPECT_EQ(e.attributes.at("box"), "812,604,952,636");
  EXPECT_EQ(e.attributes.at("frame"), "1920x1080");
  EXPECT_EQ(e.attributes.count("region"), 0u);
  EXPECT_EQ(read.image, kPlateJpeg) << "image = plate by default";
  EXPECT_EQ(read.imageExtension, "jpg");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(VaxtorReport, ImageAndTowardsFollowTheOptions) {
  VaxtorOptions options;
  options.preferPlateImage = false;
  options.towards = Direction::Out;
  const ConvertedRead read = onlyRead(convertFile("good_full.json", options));
  EXPECT_EQ(read.image, kOverviewJpeg);
  EXPECT_EQ(read.event.direction, Direction::Out);
  const ConvertedRead away = onlyRead(convertFile("good_offset_date.json", options));
  EXPECT_EQ(away.event.direction, Direction::In) << "2 = away = the opposite of towards";
  // Only the overview sent: kept although the plate crop is preferred.
  EXPECT_EQ(onlyRead(convertFile("good_offset_date.json")).image, kOverviewJpeg);
}

TEST(VaxtorReport, OffsetDateIsUtcAndAwayIsOut) {
  const PlateEvent e = onlyRead(convertFile("good_offset_date.json")).event;
  EXPECT_EQ(e.capturedAt, ms(1718000000123));
  EXPECT_EQ(e.direction, Direction::Out);
  EXPECT_EQ(e.attributes.at("movement"), "away");
  EXPECT_DOUBLE_EQ(e.confidence.value_or(-1), 0.875);
}

TEST(VaxtorReport, DateWithoutZoneUsesTimeZone) {
  EXPECT_EQ(onlyRead(convertFile("good_local_date.json")).event.capturedAt, ms(1718000000123));
  VaxtorOptions options;
  options.zone = *LocalZone::parse("+02:00");
  const PlateEvent e = onlyRead(convertFile("good_local_date.json", options)).event;
  EXPECT_EQ(e.capturedAt, ms(1718000000123 - 2 * 3600 * 1000));
  EXPECT_EQ(e.direction, Direction::Unknown) << "3 = stationary";
  EXPECT_EQ(e.attributes.at("movement"), "stationary");
}

TEST(VaxtorReport, EmptyTokensAreAbsentValues) {
  const Conversion c = convertFile("good_empty_tokens.json");
  const ConvertedRead read = onlyRead(c);
  EXPECT_EQ(read.event.plate, "AB123CD");
  EXPECT_FALSE(read.event.confidence);
  EXPECT_EQ(read.event.direction, Direction::Unknown);
  EXPECT_EQ(read.event.capturedAt, ms(1718000999000)) << "no $date$: the receive time";
  EXPECT_TRUE(read.event.country.empty());
  EXPECT_EQ(read.event.attributes.count("box"), 0u);
  EXPECT_EQ(read.event.attributes.count("frame"), 0u);
  EXPECT_TRUE(read.image.empty());
  EXPECT_TRUE(c.warnings.empty());
}

TEST(VaxtorReport, NoImagesUsStateAndCategory) {
  const ConvertedRead read = onlyRead(convertFile("good_no_images.json"));
  EXPECT_EQ(read.event.plate, "7ABC123");
  EXPECT_EQ(read.event.country, "USA");
  EXPECT_EQ(read.event.attributes.at("region"), "CA");
  EXPECT_EQ(read.event.attributes.at("category"), "STANDARD");
  EXPECT_TRUE(read.image.empty());
}

TEST(VaxtorReport, Section3TemplateWithBareNumbersAndTextPlain) {
  const PlateEvent e = onlyRead(convertFile("good_section3_template.json")).event;
  EXPECT_DOUBLE_EQ(e.confidence.value_or(-1), 0.92);
  EXPECT_EQ(e.direction, Direction::In);
  EXPECT_EQ(e.attributes.at("box"), "812,604,952,636");
  EXPECT_EQ(onlyRead(convertFile("good_text_plain.txt")).event.plate, "AB123CD");
}

TEST(VaxtorReport, AReSentReportHasTheSameEventIdAnotherPassDoesNot) {
  WebhookRequest request =
      requestFromSeed(readFile(std::string(PLUGIN_TESTDATA) + "/good_full.json"));
  const std::string id = onlyRead(convertVaxtorReport(request, {})).event.sourceEventId;
  request.receivedAt += std::chrono::seconds(20);
  EXPECT_EQ(onlyRead(convertVaxtorReport(request, {})).event.sourceEventId, id);
  const auto at = request.body.find("06:13:20.123");
  request.body.replace(at, 12, "06:15:02.480");
  EXPECT_NE(onlyRead(convertVaxtorReport(request, {})).event.sourceEventId, id);
}

TEST(VaxtorReport, ABadImageCostsTheImageNotTheRead) {
  const Conversion c = convertFile("bad_image_base64.json");
  const ConvertedRead read = onlyRead(c);
  EXPECT_TRUE(read.image.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].kind, "bad_image");
  EXPECT_EQ(c.warnings[0].field, "plate_jpg");
}

// The README prints camera-template.json; filled in the way the camera does, it converts.
TEST(VaxtorReport, ReadmePrintsTheTemplateThatIsParsed) {
  const std::string dir = std::string(PLUGIN_TESTDATA) + "/..";
  std::string tpl = readFile(dir + "/camera-template.json");
  while (!tpl.empty() && tpl.back() == '\n') tpl.pop_back();
  EXPECT_NE(readFile(dir + "/README.md").find(tpl), std::string::npos);
  const std::map<std::string, std::string> values{{"date", "2024-06-10T06:13:20.123Z"},
                                                  {"plateutf8", "AB123CD"},
                                                  {"confidence", "92"},
                                                  {"direction", "2"}};
  std::string filled = tpl;
  for (auto start = filled.find('$'); start != std::string::npos; start = filled.find('$')) {
    const auto end = filled.find('$', start + 1);
    ASSERT_NE(end, std::string::npos);
    const std::string token = filled.substr(start + 1, end - start - 1);
    const auto value = values.find(token);
    filled.replace(start, end - start + 1, value == values.end() ? "" : value->second);
  }
  WebhookRequest request;
  request.body = filled;
  const PlateEvent e = onlyRead(convertVaxtorReport(request, {})).event;
  EXPECT_EQ(e.plate, "AB123CD");
  EXPECT_EQ(e.direction, Direction::Out);
  EXPECT_EQ(e.capturedAt, ms(1718000000123));
}

TEST(VaxtorReport, BadTestdataNamesKindAndField) {
  lpr::testing::expectRefusals([](const std::string& file) { return convertFile(file); },
                               {
                                   {"bad_malformed.json", "malformed_json", ""},
                                   {"bad_missing_plate.json", "missing_field", "plate"},
                                   {"bad_confidence.json", "bad_value", "confidence"},
                                   {"bad_direction.json", "bad_value", "direction"},
                                   {"bad_date.json", "bad_value", "date"},
                                   {"bad_date_far_future.json", "bad_value", "date"},
                                   {"bad_src.json", "bad_value", "src"},
                                   {"bad_xml.xml", "unsupported_type", "Content-Type"},
                                   {"bad_multipart.txt", "unsupported_type", "Content-Type"},
                               });
}

TEST(VaxtorReport, UnreplacedTokenIsNamed) {
  const Conversion c = convertFile("bad_template_unfilled.json");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->kind, "bad_value");
  EXPECT_EQ(c.error->field, "date");  // the first token of the template
  EXPECT_NE(c.error->message.find("$date$"), std::string::npos) << c.error->message;
}

TEST(VaxtorReport, EveryTestdataFileIsKnown) {
  for (const auto& entry : std::filesystem::directory_iterator(PLUGIN_TESTDATA)) {
    const std::string name = entry.path().filename().string();
    const Conversion c = convertFile(name);
    if (name.rfind("good_", 0) == 0) {
      EXPECT_FALSE(c.error) << name;
      EXPECT_EQ(c.reads.size(), 1u) << name;
      EXPECT_TRUE(c.warnings.empty()) << name;
    } else {
      EXPECT_EQ(name.rfind("bad_", 0), 0u) << name;
      EXPECT_TRUE(c.error || !c.warnings.empty()) << name;
    }
  }
}

}  // namespace
}  // namespace lpr::plugins::source_vaxalpr
