#include "ocr/plate_recognizer.h"

#include <opencv2/imgproc.hpp>

namespace lpr::ocr {
namespace {
constexpr int kWidth = 128;
constexpr int kHeight = 64;
}  // namespace

PlateRecognizer::PlateRecognizer(const std::string& onnxPath)
    : net_(cv::dnn::readNetFromONNX(onnxPath)) {
  net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

std::vector<SlotProbs> PlateRecognizer::recognize(const cv::Mat& bgrCrop) {
  cv::Mat resized, rgb;
  cv::resize(bgrCrop, resized, cv::Size(kWidth, kHeight), 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
  // NHWC, as the model was exported: the pixel rows are already laid out that way.
  const int dims[] = {1, kHeight, kWidth, 3};
  cv::Mat blob(4, dims, CV_32F);
  rgb.convertTo(cv::Mat(kHeight, kWidth, CV_32FC3, blob.ptr<float>()), CV_32F);
  net_.setInput(blob);
  const cv::Mat out = net_.forward();
  const int slots = out.dims == 3 ? out.size[1] : out.size[0];
  const int classes = out.dims == 3 ? out.size[2] : out.size[1];
  return softmaxSlots(out.ptr<float>(), slots, classes);
}

}  // namespace lpr::ocr
