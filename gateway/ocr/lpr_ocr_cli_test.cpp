// lpr-ocr end to end: the built binary, the build's rewritten models and a few benchmark images.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_env.h"

namespace {

struct OcrRun {
  int exitCode = -1;
  std::vector<std::string> lines;  // stdout
  std::string err;
};

OcrRun runLprOcr(const std::vector<std::string>& args, const Poco::Process::Env& env = {}) {
  Poco::Pipe out, err;
  auto handle = Poco::Process::launch(LPR_OCR_BIN, args, "", nullptr, &out, &err, env);
  Poco::PipeInputStream outStream(out), errStream(err);
  OcrRun run;
  std::string line;
  while (std::getline(outStream, line)) run.lines.push_back(line);
  std::ostringstream e;
  e << errStream.rdbuf();
  run.err = e.str();
  run.exitCode = handle.wait();
  return run;
}

Poco::JSON::Object::Ptr parse(const std::string& line) {
  return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

struct Plate {
  const char* file;  // under the plates folder
  const char* text;
  cv::Rect box;  // ground truth
};

// One per region, as labelled in ground_truth.csv.
const Plate kPlates[] = {
    {"us/0b86cecf-67d1-4fc0-87c9-b36b0ee228bb.jpg", "YG9X2G", {935, 362, 99, 49}},
    {"eu/eu1.jpg", "M5XSX", {396, 340, 203, 46}},
    {"br/AYO9034.jpg", "AYO9034", {528, 412, 162, 52}},
};

double iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

TEST(LprOcrCliTest, OneLinePerImageInOrderAndAnUnreadableFileDoesNotStopTheRun) {
  lpr::testing::ScratchDir dir("lpr-ocr-test");
  const std::string garbage = dir.file("not-an-image.jpg");
  lpr::testing::writeFile(garbage, "this is not a JPEG");
  const std::string plates = LPR_OCR_TEST_PLATES;
  const std::vector<std::string> files = {plates + "/" + kPlates[0].file, garbage,
                                          dir.file("missing.jpg"), plates + "/" + kPlates[1].file,
                                          plates + "/" + kPlates[2].file};
  std::vector<std::string> args = {"--models", LPR_OCR_TEST_MODEL_DIR};
  args.insert(args.end(), files.begin(), files.end());
  const OcrRun run = runLprOcr(args);
  ASSERT_EQ(run.exitCode, 0) << run.err;
  ASSERT_EQ(run.lines.size(), files.size()) << run.err;

  for (std::size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(run.lines[i]);
    const auto line = parse(run.lines[i]);
    EXPECT_EQ(line->getValue<std::string>("file"), files[i]);
    if (i == 1 || i == 2) {
      EXPECT_FALSE(line->getValue<std::string>("error").empty());
      EXPECT_FALSE(line->has("plates"));
      continue;
    }
    const Plate& expected = kPlates[i == 0 ? 0 : i - 2];
    EXPECT_FALSE(line->has("error"));
    EXPECT_GE(line->getValue<double>("ms"), 0.0);
    const auto list = line->getArray("plates");
    ASSERT_GE(list->size(), 1u);
    double previous = 1.0;
    for (std::size_t p = 0; p < list->size(); ++p) {  // best first
      const double c = list->getObject(p)->getValue<double>("confidence");
      EXPECT_LE(c, previous);
      EXPECT_GE(c, 0.0);
      previous = c;
    }
    const auto best = list->getObject(0);
    EXPECT_EQ(best->getValue<std::string>("text"), expected.text);
    const auto box = best->getArray("box");
    ASSERT_EQ(box->size(), 4u);
    const cv::Rect got(box->getElement<int>(0), box->getElement<int>(1), box->getElement<int>(2),
                       box->getElement<int>(3));
    EXPECT_GT(iou(got, expected.box), 0.3);
  }
}

TEST(LprOcrCliTest, RegionOptionIsAccepted) {
  const std::string image = std::string(LPR_OCR_TEST_PLATES) + "/" + kPlates[2].file;
  const OcrRun run = runLprOcr({"--region", "br", "--models", LPR_OCR_TEST_MODEL_DIR, image});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  ASSERT_EQ(run.lines.size(), 1u);
  const auto list = parse(run.lines[0])->getArray("plates");
  ASSERT_GE(list->size(), 1u);
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("text"), kPlates[2].text);
}

TEST(LprOcrCliTest, ModelsFromTheEnvironmentAndTheOptionWinsOverIt) {
  const std::string image = std::string(LPR_OCR_TEST_PLATES) + "/" + kPlates[1].file;
  const OcrRun fromEnv = runLprOcr({image}, {{"LPR_MODEL_DIR", LPR_OCR_TEST_MODEL_DIR}});
  ASSERT_EQ(fromEnv.exitCode, 0) << fromEnv.err;
  ASSERT_EQ(fromEnv.lines.size(), 1u);
  EXPECT_FALSE(parse(fromEnv.lines[0])->has("error"));

  lpr::testing::ScratchDir dir("lpr-ocr-test");
  const OcrRun optionWins =
      runLprOcr({"--models", dir.path(), image}, {{"LPR_MODEL_DIR", LPR_OCR_TEST_MODEL_DIR}});
  EXPECT_EQ(optionWins.exitCode, 1);
  EXPECT_NE(optionWins.err.find(dir.path()), std::string::npos) << optionWins.err;
}

TEST(LprOcrCliTest, MissingModelsFailNamingTheFile) {
  lpr::testing::ScratchDir dir("lpr-ocr-test");
  const OcrRun run = runLprOcr({"--models", dir.path(), "x.jpg"});
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_TRUE(run.lines.empty());
  EXPECT_NE(run.err.find("plate_det_yolov9t416_cv46.onnx"), std::string::npos) << run.err;
}

TEST(LprOcrCliTest, BadRegionIsAUsageError) {
  const OcrRun run = runLprOcr({"--region", "xx", "a.jpg"});
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_NE(run.err.find("--region"), std::string::npos) << run.err;
}

}  // namespace
