#include "two_n_lpr_request.h"

#include <Poco/Base64Encoder.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace lpr::plugins::source_2n_lpr {
namespace {

const std::string kUuid = "6f1c2a9e-0d4b-4c1e-9a77-1b2c3d4e5f60";

std::string testdata(const std::string& name) {
  std::ifstream in(std::string(PLUGIN_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "missing testdata/" << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string base64(const std::string& bytes, int lineLength = 0) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(lineLength);
  encoder << bytes;
  encoder.close();
  return out.str();
}

// MIME-style wrapped base64 as a JSON string: the line breaks escaped.
std::string jsonLines(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// A body with the mandatory fields plus `extra` (a JSON fragment starting with ',').
std::string body(const std::string& extra, const std::string& plate = "AB123CD") {
  return R"({"lprUuid":")" + kUuid + R"(","lprID":4711,"accessPoint":0,"plateText":")" + plate +
         "\"" + extra + "}";
}

std::string bodyWithout(const std::string& field) {
  std::vector<std::pair<std::string, std::string>> fields{{"lprUuid", "\"" + kUuid + "\""},
                                                          {"lprID", "4711"},
                                                          {"accessPoint", "0"},
                                                          {"plateText", "\"AB123CD\""}};
  std::string out = "{";
  for (const auto& [name, value] : fields) {
    if (name == field) continue;
    out += (out.size() > 1 ? "," : "") + ("\"" + name + "\":" + value);
  }
  return out + "}";
}

const TimePoint kNow = TimePoint(std::chrono::milliseconds(1718000000123));

struct Case {
  std::string name;
  std::function<std::string()> body;
  // Success expected when code == 0.
  int code = 0;
  std::string param;
  std::string kind;
  std::function<void(const TwoNLprRequest&)> check;
  TwoNLprOptions options = {};
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }

Case good(std::string name, std::function<std::string()> body,
          std::function<void(const TwoNLprRequest&)> check, TwoNLprOptions options = {}) {
  Case c;
  c.name = std::move(name);
  c.body = std::move(body);
  c.check = std::move(check);
  c.options = options;
  return c;
}

Case bad(std::string name, std::function<std::string()> body, int code, std::string param,
         std::string kind) {
  Case c;
  c.name = std::move(name);
  c.body = std::move(body);
  c.code = code;
  c.param = std::move(param);
  c.kind = std::move(kind);
  return c;
}

std::vector<Case> cases() {
  auto file = [](std::string name) { return [name] { return testdata(name); }; };
  auto text = [](std::string value) { return [value] { return value; }; };
  return {
      good("good_full", file("good_full.json"),
           [](const TwoNLprRequest& r) {
             EXPECT_EQ(r.event.sourceEventId, kUuid);
             EXPECT_EQ(r.event.vehicleId, "4711");
             EXPECT_EQ(r.event.plateRaw, "AB123CD");
             EXPECT_EQ(r.event.plate, "AB123CD");
             EXPECT_EQ(r.event.accessPoint, 0);
             EXPECT_EQ(r.event.direction, Direction::In);
             EXPECT_EQ(r.event.attributes.at("lprDir"), "2");
             EXPECT_EQ(r.event.capturedAt, kNow);
             EXPECT_FALSE(r.event.confidence.has_value());
             EXPECT_TRUE(r.event.sourceId.empty());
             ASSERT_EQ(r.image.size(), 202u);
             EXPECT_EQ(r.image.substr(0, 3), "\xFF\xD8\xFF");
             EXPECT_EQ(r.imageExtension, "jpg");
           }),
      good("good_no_lprid (firmware before 2.40)", file("good_no_lprid.json"),
           [](const TwoNLprRequest& r) {
             EXPECT_EQ(r.event.vehicleId, "");
             EXPECT_EQ(r.event.accessPoint, 1);
             EXPECT_EQ(r.event.direction, Direction::Unknown);
             EXPECT_TRUE(r.event.attributes.empty());
             EXPECT_TRUE(r.image.empty());
           }),
      good("good_numeric_strings", file("good_numeric_strings.json"),
           [](const TwoNLprRequest& r) {
             EXPECT_EQ(r.event.sourceEventId, "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
             EXPECT_EQ(r.event.vehicleId, "815");
             EXPECT_EQ(r.event.accessPoint, 1);
             EXPECT_EQ(r.event.direction, Direction::Out);
             EXPECT_EQ(r.event.plateRaw, "b 4711 cx");
             EXPECT_EQ(r.event.plate, "B4711CX");
           }),
      good("good_pretty (utf-8, lprDir 1, empty image, extra keys)", file("good_pretty.json"),
           [](const TwoNLprRequest& r) {
             EXPECT_EQ(r.event.plateRaw, "mü ab 12");
             EXPECT_EQ(r.event.plate, "MÜAB12");
             EXPECT_EQ(r.event.direction, Direction::Unknown);
             EXPECT_EQ(r.event.attributes.at("lprDir"), "1");
             EXPECT_TRUE(r.image.empty());
           }),
      good("twelve characters", text(body("", "ABCDEFGHIJKL")),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.event.plate, "ABCDEFGHIJKL"); }),
      good("twelve multi-byte characters", text(body("", "ÄÖÜÄÖÜÄÖÜÄÖÜ")), nullptr),
      good("lprDir 0", text(body(R"(,"lprDir":0)")),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.event.direction, Direction::Unknown); }),
      good("null optional fields", text(body(R"(,"lprDir":null,"plateImage":null)")),
           [](const TwoNLprRequest& r) { EXPECT_TRUE(r.image.empty()); }),
      good("integral double",
           text(R"({"lprUuid":")" + kUuid +
                R"(","lprID":4711.0,"accessPoint":1.0,"plateText":"A"})"),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.event.vehicleId, "4711"); }),
      good("image wrapped at 76 columns",
           text(body(",\"plateImage\":\"" + jsonLines(base64(std::string(1000, 'x'), 76)) + "\"")),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.image, std::string(1000, 'x')); }),
      good("image without padding", text(body(R"(,"plateImage":"Zm9vYg")")),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.image, "foob"); }),
      good("png image", text(body(",\"plateImage\":\"" + base64("\x89PNG\r\n\x1a\nrest") + "\"")),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.imageExtension, "png"); }),
      good("image at the limit", text(body(",\"plateImage\":\"" + std::string(262144, 'A') + "\"")),
           [](const TwoNLprRequest& r) { EXPECT_EQ(r.image.size(), 196608u); }),
      good(
          "access point override", text(bodyWithout("accessPoint")),
          [](const TwoNLprRequest& r) { EXPECT_EQ(r.event.accessPoint, 1); }, TwoNLprOptions{1}),
      good(
          "access point override ignores a bad value", text(body(",\"accessPoint\":7")),
          [](const TwoNLprRequest& r) { EXPECT_EQ(r.event.accessPoint, 0); }, TwoNLprOptions{0}),

      // Missing mandatory fields: 11 + param.
      bad("missing lprUuid", file("bad_missing_lpr_uuid.json"), 11, "lprUuid", "missing_field"),
      bad("missing accessPoint", file("bad_missing_access_point.json"), 11, "accessPoint",
          "missing_field"),
      bad("missing plateText", file("bad_missing_plate_text.json"), 11, "plateText",
          "missing_field"),
      bad("null lprUuid", text(R"({"lprUuid":null,"accessPoint":0,"plateText":"A"})"), 11,
          "lprUuid", "missing_field"),
      bad("empty object", text("{}"), 11, "lprUuid", "missing_field"),

      // Wrong types and ranges: 12 + param. A 13-character plate is a range error (12), not
      // "data too big" (13), which 2N uses for sizes.
      bad("plate too long", file("bad_plate_too_long.json"), 12, "plateText", "bad_value"),
      bad("empty plate", text(body("", "")), 12, "plateText", "bad_value"),
      bad("blank plate", text(body("", "   ")), 12, "plateText", "bad_value"),
      bad("plate with a control character", text(body("", "AB\\n12")), 12, "plateText",
          "bad_value"),
      bad("plate as number",
          text(R"({"lprUuid":")" + kUuid + R"(","accessPoint":0,"plateText":123})"), 12,
          "plateText", "bad_value"),
      bad("accessPoint 2", file("bad_access_point_range.json"), 12, "accessPoint", "bad_value"),
      bad("accessPoint true",
          text(R"({"lprUuid":")" + kUuid + R"(","accessPoint":true,"plateText":"A"})"), 12,
          "accessPoint", "bad_value"),
      bad("accessPoint entry",
          text(R"({"lprUuid":")" + kUuid + R"(","accessPoint":"entry","plateText":"A"})"), 12,
          "accessPoint", "bad_value"),
      bad("lprID not numeric", file("bad_lpr_id_type.json"), 12, "lprID", "bad_value"),
      bad("lprID fractional",
          text(R"({"lprUuid":")" + kUuid + R"(","lprID":1.5,"accessPoint":0,"plateText":"A"})"), 12,
          "lprID", "bad_value"),
      bad("lprID empty string",
          text(R"({"lprUuid":")" + kUuid + R"(","lprID":"","accessPoint":0,"plateText":"A"})"), 12,
          "lprID", "bad_value"),
      bad("lprUuid not a uuid", text(R"({"lprUuid":"read-1","accessPoint":0,"plateText":"A"})"), 12,
          "lprUuid", "bad_value"),
      bad("lprUuid as number", text(R"({"lprUuid":42,"accessPoint":0,"plateText":"A"})"), 12,
          "lprUuid", "bad_value"),
      bad("lprDir 4", text(body(R"(,"lprDir":4)")), 12, "lprDir", "bad_value"),
      bad("lprDir in", text(body(R"(,"lprDir":"in")")), 12, "lprDir", "bad_value"),
      bad("bad base64", file("bad_image_base64.json"), 12, "plateImage", "bad_value"),
      bad("base64 of impossible length", text(body(R"(,"plateImage":"Zm9vY")")), 12, "plateImage",
          "bad_value"),
      bad("base64 with padding inside", text(body(R"(,"plateImage":"Zg==Zg==")")), 12, "plateImage",
          "bad_value"),
      bad("image as object", text(body(R"(,"plateImage":{"data":"Zg=="})")), 12, "plateImage",
          "bad_value"),

      // Size: 13.
      bad("image over 256 kB", text(body(",\"plateImage\":\"" + std::string(262148, 'A') + "\"")),
          13, "plateImage", "too_big"),

      // Not JSON or not an object: 12 without param.
      bad("malformed JSON (missing comma)", file("bad_malformed.json"), 12, "", "malformed_json"),
      bad("empty body", text(""), 12, "", "malformed_json"),
      bad("form encoded", text("lprUuid=x&plateText=AB"), 12, "", "malformed_json"),
      bad("array", text("[1,2]"), 12, "", "malformed_json"),
      bad("string", text("\"AB123CD\""), 12, "", "malformed_json"),
      bad("null", text("null"), 12, "", "malformed_json"),
      bad("deeply nested", text(std::string(5000, '[') + std::string(5000, ']')), 12, "",
          "malformed_json"),
  };
}

class TwoNLprRequestTest : public ::testing::TestWithParam<Case> {};

TEST_P(TwoNLprRequestTest, Converts) {
  const Case& c = GetParam();
  auto result = parseTwoNLprRequest(c.body(), kNow, c.options);
  if (c.code == 0) {
    if (auto* error = std::get_if<TwoNError>(&result)) {
      FAIL() << "unexpected error " << errorEnvelope(*error);
    }
    if (c.check) c.check(std::get<TwoNLprRequest>(result));
    return;
  }
  auto* error = std::get_if<TwoNError>(&result);
  ASSERT_NE(error, nullptr) << "expected error " << c.code;
  EXPECT_EQ(error->code, c.code);
  EXPECT_EQ(error->param, c.param);
  EXPECT_EQ(error->kind, c.kind);
  EXPECT_EQ(error->description.rfind(twoNDescription(c.code), 0), 0u) << error->description;
}

INSTANTIATE_TEST_SUITE_P(Bodies, TwoNLprRequestTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (char c : info.param.name) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name + "_" + std::to_string(info.index);
                         });

TEST(TwoNLprRequest, MissingFieldsAreReportedOneByOne) {
  for (const std::string field : {"lprUuid", "accessPoint", "plateText"}) {
    auto result = parseTwoNLprRequest(bodyWithout(field), kNow);
    auto* error = std::get_if<TwoNError>(&result);
    ASSERT_NE(error, nullptr) << field;
    EXPECT_EQ(error->code, 11) << field;
    EXPECT_EQ(error->param, field);
  }
  auto result = parseTwoNLprRequest(bodyWithout("lprID"), kNow);
  EXPECT_TRUE(std::holds_alternative<TwoNLprRequest>(result));
}

TEST(TwoNLprRequest, ErrorEnvelopesMatchThe2nShape) {
  EXPECT_EQ(errorEnvelope(twoNError(12, "plateText")),
            R"({"success":false,"error":{"code":12,"param":"plateText",)"
            R"("description":"invalid parameter value"}})");
  EXPECT_EQ(errorEnvelope(twoNError(9)),
            R"({"success":false,"error":{"code":9,"description":"authorisation required"}})");
  EXPECT_EQ(
      errorEnvelope(twoNError(14)),
      R"({"success":false,"error":{"code":14,"description":"unspecified processing error"}})");
  EXPECT_EQ(successEnvelope(), R"({"success":true})");
  EXPECT_EQ(twoNDescription(11), "missing mandatory parameter");
  EXPECT_EQ(twoNDescription(13), "parameter data too big");
  EXPECT_EQ(twoNDescription(3), "invalid request method");
}

TEST(TwoNLprRequest, MalformedJsonDescriptionSaysSo) {
  auto result = parseTwoNLprRequest("{", kNow);
  auto* error = std::get_if<TwoNError>(&result);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(errorEnvelope(*error),
            R"js({"success":false,"error":{"code":12,)js"
            R"js("description":"invalid parameter value (body is not valid JSON)"}})js");
}

TEST(TwoNLprRequest, ImageLimitIsConfigurable) {
  TwoNLprOptions options;
  options.maxImageChars = 8;
  auto result = parseTwoNLprRequest(body(R"(,"plateImage":"Zm9vYmFyYmF6")"), kNow, options);
  auto* error = std::get_if<TwoNError>(&result);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, 13);
}

}  // namespace
}  // namespace lpr::plugins::source_2n_lpr
