#include "webhook/json_stream_splitter.h"

#include <gtest/gtest.h>

namespace lpr {
namespace {

using Kind = JsonStreamSplitter::Piece::Kind;

std::vector<std::string> objects(const std::vector<JsonStreamSplitter::Piece>& pieces) {
  std::vector<std::string> out;
  for (const auto& piece : pieces) {
    if (piece.kind == Kind::Object) out.push_back(piece.text);
  }
  return out;
}

TEST(JsonStreamSplitter, ObjectsBackToBackAndOnLinesComeOutWhole) {
  JsonStreamSplitter splitter(1024);
  auto pieces = splitter.feed("{\"a\":1}{\"b\":{\"c\":[1,{}]}}\r\n  {\"d\":2}\n");
  EXPECT_EQ(objects(pieces),
            (std::vector<std::string>{R"({"a":1})", R"({"b":{"c":[1,{}]}})", R"({"d":2})"}));
  EXPECT_EQ(pieces.size(), 3u) << "whitespace between objects is not garbage";
  EXPECT_FALSE(splitter.inObject());
}

TEST(JsonStreamSplitter, BracesAndEscapedQuotesInsideStringsDoNotCount) {
  JsonStreamSplitter splitter(1024);
  const std::string tricky = R"({"p":"}{\"}","q":"\\","r":"[{"})";
  auto pieces = splitter.feed(tricky + "{\"n\":1}");
  EXPECT_EQ(objects(pieces), (std::vector<std::string>{tricky, R"({"n":1})"}));
}

TEST(JsonStreamSplitter, AnObjectCutAtEveryByteComesOutOnceWhole) {
  const std::string object = R"({"plateText":"AB 12{3}","ImageArray":[{"BinaryImage":"/9j\"/"}]})";
  for (std::size_t cut = 1; cut < object.size(); ++cut) {
    JsonStreamSplitter splitter(1024);
    auto first = splitter.feed(object.substr(0, cut));
    EXPECT_TRUE(objects(first).empty()) << cut;
    EXPECT_TRUE(splitter.inObject()) << cut;
    auto second = splitter.feed(object.substr(cut));
    EXPECT_EQ(objects(second), std::vector<std::string>{object}) << cut;
  }
}

TEST(JsonStreamSplitter, BytesOutsideObjectsAreReportedAndTheNextObjectStillComes) {
  JsonStreamSplitter splitter(1024);
  auto pieces = splitter.feed("hello]{\"a\":1} junk {\"b\":2}");
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].kind, Kind::Garbage);
  EXPECT_EQ(pieces[0].text, "hello]");
  EXPECT_EQ(pieces[1].text, R"({"a":1})");
  EXPECT_EQ(pieces[2].kind, Kind::Garbage);
  EXPECT_EQ(pieces[2].text, "junk");
  EXPECT_EQ(pieces[3].text, R"({"b":2})");
}

TEST(JsonStreamSplitter, AnObjectOverTheLimitIsDroppedToItsEndAndTheNextComes) {
  JsonStreamSplitter splitter(32);
  const std::string big = "{\"image\":\"" + std::string(100, 'x') + "\",\"x\":\"}\"}";
  auto pieces = splitter.feed(big + "{\"ok\":1}");
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].kind, Kind::TooBig);
  EXPECT_EQ(pieces[1].kind, Kind::Object);
  EXPECT_EQ(pieces[1].text, R"({"ok":1})");
}

}  // namespace
}  // namespace lpr
