#include "webhook/multipart_body.h"

#include <gtest/gtest.h>

namespace lpr {
namespace {

const char* const kMultipart =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"event\"\r\n"
    "Content-Type: application/json\r\n\r\n"
    "{\"a\":1}\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"image\"; filename=\"plate.jpg\"\r\n"
    "Content-Type: image/jpeg\r\n\r\n"
    "\xFF\xD8\xFF\xE0--not-a-boundary\r\n"
    "--XyZ--\r\n";

TEST(MultipartBody, SplitsPartsByName) {
  auto parsed = parseMultipart(kMultipart, "multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(std::holds_alternative<std::vector<MultipartPart>>(parsed));
  const auto& parts = std::get<std::vector<MultipartPart>>(parsed);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "event");
  EXPECT_EQ(parts[0].body, "{\"a\":1}");
  EXPECT_EQ(parts[0].contentType, "application/json");
  ASSERT_NE(findPart(parts, "PLATE.JPG"), nullptr) << "filename, case-insensitive";
  EXPECT_EQ(findPart(parts, "image")->body, "\xFF\xD8\xFF\xE0--not-a-boundary");
  EXPECT_EQ(findPart(parts, "missing"), nullptr);
  EXPECT_TRUE(isMultipart("Multipart/Form-Data; boundary=XyZ"));
  EXPECT_FALSE(isMultipart("application/json"));
  EXPECT_EQ(mediaType(" Application/JSON ; charset=utf-8"), "application/json");
}

TEST(MultipartBody, RefusesWhatIsNotWhole) {
  const std::string body = kMultipart;
  const struct {
    std::string body, type;
  } bad[] = {
      {body, "multipart/form-data"},                                           // no boundary
      {body, "multipart/form-data; boundary=Other"},                           // wrong boundary
      {body.substr(0, body.size() / 2), "multipart/form-data; boundary=XyZ"},  // truncated
  };
  for (const auto& [text, type] : bad) {
    auto parsed = parseMultipart(text, type);
    ASSERT_TRUE(std::holds_alternative<InputError>(parsed)) << type << "\n" << text;
    EXPECT_EQ(std::get<InputError>(parsed).kind, "malformed_multipart");
  }
  std::string many;
  for (int i = 0; i < 40; ++i)
    many += "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
  many += "--XyZ--\r\n";
  auto parsed = parseMultipart(many, "multipart/form-data; boundary=XyZ", 32);
  ASSERT_TRUE(std::holds_alternative<InputError>(parsed));
  EXPECT_NE(std::get<InputError>(parsed).message.find("more than 32 parts"), std::string::npos);
}

}  // namespace
}  // namespace lpr
