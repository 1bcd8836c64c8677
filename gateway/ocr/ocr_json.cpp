#include "ocr/ocr_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cmath>
#include <sstream>

namespace lpr::ocr {
namespace {

// As float: Poco prints a double with 17 digits (12.300000000000001), a float with 8.
float rounded(double v, double step) { return static_cast<float>(std::round(v / step) * step); }

std::string toLine(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

std::string imageResultJson(const std::string& file, double ms,
                            const std::vector<PlateRead>& plates, bool withRaw, double cpuMs) {
  Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
  line.set("file", file);
  line.set("ms", rounded(ms, 0.1));
  if (withRaw) line.set("cpu_ms", rounded(cpuMs, 0.1));
  Poco::JSON::Array list;
  for (const auto& p : plates) {
    Poco::JSON::Object plate(Poco::JSON_PRESERVE_KEY_ORDER);
    plate.set("text", p.text);
    plate.set("confidence", rounded(p.confidence, 0.001));
    Poco::JSON::Array box;
    for (int v : {p.box.x, p.box.y, p.box.width, p.box.height}) box.add(v);
    plate.set("box", box);
    if (withRaw) {
      plate.set("raw", p.rawText);
      plate.set("detector", rounded(p.detectorScore, 0.001));
      Poco::JSON::Array slots;
      for (float c : p.slotConfidence) slots.add(rounded(c, 0.001));
      plate.set("slots", slots);
    }
    list.add(plate);
  }
  line.set("plates", list);
  return toLine(line);
}

std::string imageErrorJson(const std::string& file, const std::string& error) {
  Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
  line.set("file", file);
  line.set("error", error);
  return toLine(line);
}

}  // namespace lpr::ocr
