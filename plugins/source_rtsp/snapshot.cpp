#include "snapshot.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace lpr::plugins::source_rtsp {

std::string encodeSnapshot(const cv::Mat& bgr, std::size_t maxBytes) {
  cv::Mat image = bgr;
  std::vector<uchar> jpeg;
  while (!image.empty() && image.cols >= 16 && image.rows >= 16) {
    for (int quality : {90, 75, 60, 45}) {
      cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality});
      if (jpeg.size() <= maxBytes) return std::string(jpeg.begin(), jpeg.end());
    }
    cv::Mat half;
    cv::resize(image, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    image = half;
  }
  return {};
}

}  // namespace lpr::plugins::source_rtsp
