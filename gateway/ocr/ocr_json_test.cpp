#include "ocr/ocr_json.h"

#include <gtest/gtest.h>

namespace lpr::ocr {
namespace {

TEST(OcrJsonTest, ResultLineHasFileMsAndPlatesInOrder) {
  PlateRead a;
  a.text = "AB123CD";
  a.confidence = 0.93456f;
  a.box = cv::Rect(10, 20, 30, 40);
  EXPECT_EQ(imageResultJson("dir/a \"x\".jpg", 12.34, {a}),
            R"({"file":"dir/a \"x\".jpg","ms":12.3,"plates":[{"text":"AB123CD",)"
            R"("confidence":0.935,"box":[10,20,30,40]}]})");
}

TEST(OcrJsonTest, NoPlateIsAnEmptyList) {
  EXPECT_EQ(imageResultJson("b.jpg", 5.0, {}), R"({"file":"b.jpg","ms":5,"plates":[]})");
}

TEST(OcrJsonTest, ErrorLine) {
  EXPECT_EQ(imageErrorJson("c.jpg", "cannot read"), R"({"file":"c.jpg","error":"cannot read"})");
}

}  // namespace
}  // namespace lpr::ocr
