// lpr-ocr: reads licence plates in still images, one JSON line per image (see ocr_json.h).
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "ocr/ocr_json.h"
#include "ocr/plate_reader.h"

#ifndef LPR_OCR_DEFAULT_MODEL_DIR
#error "LPR_OCR_DEFAULT_MODEL_DIR must name the installed model folder"
#endif

namespace {

constexpr const char* kUsage =
    "usage: lpr-ocr [--region us|eu|br|auto] [--models DIR] [--threads N] [--raw] IMAGE...\n"
    "Prints one JSON line per image: {\"file\",\"ms\",\"plates\":[{\"text\",\"confidence\","
    "\"box\"}]}, plates best first; an unreadable image gives {\"file\",\"error\"}.\n"
    "  --region R        plate formats to assume: us, eu, br, or auto (default)\n"
    "  --models DIR      rewritten models; else $LPR_MODEL_DIR, else " LPR_OCR_DEFAULT_MODEL_DIR
    "\n"
    "  --threads N       OpenCV threads (default 1)\n"
    "  --raw             also the unrepaired read, detector score, per-character confidences\n"
    "                    and the engine's CPU ms\n"
    "Detector tuning: --det-size N (full pass, default 416), --coarse-size N (0: no coarse\n"
    "pass; default 256), --refine-size N (default 192), --accept-width N (default 48),\n"
    "--proposals N (default 3), --det-rect (pad to multiples of 32 instead of squares: for\n"
    "one fixed frame size), --max-plates N (recognizer runs per image, default 3).\n";

int usageError(const std::string& message) {
  std::cerr << "lpr-ocr: " << message << "\n" << kUsage;
  return 2;
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

bool parseInt(const std::string& text, int& out) {
  try {
    std::size_t used = 0;
    out = std::stoi(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lpr::ocr;
  ReaderOptions options;
  std::string modelDir;
  int threads = 1;  // one thread by default: the gateway runs other work beside the reader
  bool withRaw = false;
  std::vector<std::string> images;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--region") {
      const char* v = value();
      const auto region = v ? regionFromString(v) : std::nullopt;
      if (!region) return usageError("--region needs us, eu, br or auto");
      options.region = *region;
    } else if (arg == "--models") {
      const char* v = value();
      if (!v) return usageError("--models needs a folder");
      modelDir = v;
    } else if (arg == "--threads") {
      const char* v = value();
      if (!v || !parseInt(v, threads) || threads < 1) return usageError("--threads needs N >= 1");
    } else if (arg == "--det-size") {
      const char* v = value();
      int size = 0;
      if (!v || !parseInt(v, size) || size < 32 || size % 32 != 0) {
        return usageError("--det-size needs a multiple of 32");
      }
      options.detector.inputSize = size;
    } else if (arg == "--coarse-size") {
      const char* v = value();
      int size = -1;
      if (!v || !parseInt(v, size) || size < 0 || size % 32 != 0) {
        return usageError("--coarse-size needs 0 (off) or a multiple of 32");
      }
      options.detector.coarseSize = size;
    } else if (arg == "--refine-size") {
      const char* v = value();
      int size = 0;
      if (!v || !parseInt(v, size) || size < 64 || size % 64 != 0) {
        return usageError("--refine-size needs a multiple of 64");
      }
      options.detector.refineSize = size;
    } else if (arg == "--accept-width") {
      const char* v = value();
      if (!v || !parseInt(v, options.detector.acceptWidth)) return usageError("--accept-width N");
    } else if (arg == "--proposals") {
      const char* v = value();
      if (!v || !parseInt(v, options.detector.maxProposals) || options.detector.maxProposals < 1) {
        return usageError("--proposals needs N >= 1");
      }
    } else if (arg == "--det-rect") {
      options.detector.rectangularInput = true;
    } else if (arg == "--max-plates") {
      const char* v = value();
      if (!v || !parseInt(v, options.maxPlates) || options.maxPlates < 1) {
        return usageError("--max-plates needs N >= 1");
      }
    } else if (arg == "--raw") {
      withRaw = true;
    } else if (arg == "--") {
      for (++i; i < argc; ++i) images.emplace_back(argv[i]);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usageError("unknown option " + arg);
    } else {
      images.push_back(arg);
    }
  }
  if (images.empty()) return usageError("no image given");
  if (modelDir.empty()) {
    const char* env = std::getenv("LPR_MODEL_DIR");
    modelDir = env && *env ? env : LPR_OCR_DEFAULT_MODEL_DIR;
  }

  cv::setNumThreads(threads);
  // The error line says what went wrong with an image; OpenCV's own warnings would only add noise.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  std::unique_ptr<PlateReader> reader;
  try {
    reader = std::make_unique<PlateReader>(PlateReader::fromModelDir(modelDir, options));
  } catch (const std::exception& e) {
    std::cerr << "lpr-ocr: " << e.what() << "\n";
    return 1;
  }

  for (const auto& file : images) {
    std::string line;
    try {
      const cv::Mat image = cv::imread(file, cv::IMREAD_COLOR);
      if (image.empty()) {
        line = imageErrorJson(file, "cannot read or decode the image");
      } else {
        const double cpuStart = threadCpuMs();
        const auto start = std::chrono::steady_clock::now();
        const auto plates = reader->read(image);
        const std::chrono::duration<double, std::milli> ms =
            std::chrono::steady_clock::now() - start;
        line = imageResultJson(file, ms.count(), plates, withRaw, threadCpuMs() - cpuStart);
      }
    } catch (const std::exception& e) {
      line = imageErrorJson(file, e.what());
    }
    std::cout << line << std::endl;  // flushed per image, so a consumer sees progress
  }
  return 0;
}
