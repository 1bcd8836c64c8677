#include "plate_formats.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace lpr::plugins::proc_normalize {

namespace {

// The pairs OCR engines confuse on plate fonts; nothing else is swapped, so a repair can only
// turn a plate into one that differs in these shapes.
constexpr std::string_view kLetters = "OIBSZG";
constexpr std::string_view kDigits = "018526";

bool isLetter(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// `plate` shaped to `format`, with the number of swaps; nullopt when a position cannot fit.
std::optional<std::pair<std::string, int>> shapeTo(const std::string& plate,
                                                   std::string_view format) {
  std::string shaped = plate;
  int swaps = 0;
  for (std::size_t i = 0; i < shaped.size(); ++i) {
    char& c = shaped[i];
    const bool wantLetter = format[i] == 'L';
    if (wantLetter ? isLetter(c) : isDigit(c)) continue;
    const std::string_view from = wantLetter ? kDigits : kLetters;
    const std::string_view to = wantLetter ? kLetters : kDigits;
    const auto at = from.find(c);
    if (at == std::string_view::npos) return std::nullopt;
    c = to[at];
    ++swaps;
  }
  return std::make_pair(std::move(shaped), swaps);
}

}  // namespace

bool isValidFormat(std::string_view format) {
  if (format.empty() || format.size() > kMaxFormatLength) return false;
  return format.find_first_not_of("LD") == std::string_view::npos;
}

const std::map<std::string, std::vector<std::string>>& presetFormats() {
  // The README's presets table explains each choice; keep the two in step.
  static const std::map<std::string, std::vector<std::string>> kPresets{
      {"BR", {"LLLDLDD", "LLLDDDD"}},
      {"CZ", {"DLDDDDD", "DLLDDDD"}},
      // District (1–3) and series (1–2) letters run together once the space is gone, so every
      // split of 2–5 letters and 1–4 digits within 8 characters.
      {"DE",
       {"LLD", "LLDD", "LLDDD", "LLDDDD", "LLLD", "LLLDD", "LLLDDD", "LLLDDDD", "LLLLD", "LLLLDD",
        "LLLLDDD", "LLLLDDDD", "LLLLLD", "LLLLLDD", "LLLLLDDD"}},
      {"ES", {"DDDDLLL"}},
      {"FR", {"LLDDDLL"}},
      {"GB", {"LLDDLLL", "LDDDLLL"}},
      {"IT", {"LLDDDLL"}},
      // Side-codes 1–14.
      {"NL",
       {"LLDDDD", "DDDDLL", "DDLLDD", "LLDDLL", "LLLLDD", "DDLLLL", "DDLLLD", "DLLLDD", "LLDDDL",
        "LDDDLL", "LLLDDL", "LDDLLL", "DLLDDD", "DDDLLD"}},
      {"PL",
       {"LLDDDDD", "LLDDDDL", "LLDDDLL", "LLDLDDD", "LLDLLDD", "LLLLDDD", "LLLDDLL", "LLLDLDD",
        "LLLDDLD", "LLLDLLD", "LLLLLDD"}},
      {"US", {"LLLDDDD", "DLLLDDD", "LLLDDD", "DDDLLL"}},
  };
  return kPresets;
}

std::string_view toString(FormatFit fit) {
  switch (fit) {
    case FormatFit::Matched:
      return "matched";
    case FormatFit::Repaired:
      return "repaired";
    case FormatFit::Ambiguous:
      return "ambiguous";
    case FormatFit::None:
      break;
  }
  return "none";
}

FormatFit fitFormats(std::string& plate, const std::vector<std::string>& formats) {
  // Distinct shapes, not formats: a format listed twice is still one candidate.
  std::vector<std::string> shapes;
  bool asRead = false;
  for (const auto& format : formats) {
    if (format.size() != plate.size()) continue;
    auto shaped = shapeTo(plate, format);
    if (!shaped) continue;
    asRead = asRead || shaped->second == 0;
    if (std::find(shapes.begin(), shapes.end(), shaped->first) == shapes.end()) {
      shapes.push_back(std::move(shaped->first));
    }
  }
  if (shapes.empty()) return FormatFit::None;
  if (asRead) return FormatFit::Matched;
  if (shapes.size() > 1) return FormatFit::Ambiguous;
  plate = std::move(shapes.front());
  return FormatFit::Repaired;
}

}  // namespace lpr::plugins::proc_normalize
