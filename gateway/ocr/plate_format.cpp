#include "ocr/plate_format.h"

#include <cmath>
#include <limits>

namespace lpr::ocr {
namespace {

// Floor for log(): a class the recognizer gave no mass at all must still have a finite cost.
constexpr float kMinProb = 1e-9f;

float logp(const SlotProbs& p, int c) { return std::log(std::max(p[c], kMinProb)); }

int bestOfKind(const SlotProbs& p, bool letter) {
  int best = letter ? 10 : 0;
  for (int c = best; c < (letter ? kPadClass : 10); ++c) {
    if (p[c] > p[best]) best = c;
  }
  return best;
}

std::vector<std::size_t> textSlots(const std::vector<int>& classes) {
  std::vector<std::size_t> out;
  for (std::size_t s = 0; s < classes.size(); ++s) {
    if (classes[s] != kPadClass) out.push_back(s);
  }
  return out;
}

// Look-alikes across kinds, as the recognizer confuses them on plates.
std::string_view lookAlikes(char ch) {
  switch (ch) {
    case '0':
      return "ODQ";
    case '1':
      return "I";
    case '2':
      return "Z";
    case '5':
      return "S";
    case '6':
      return "G";
    case '8':
      return "B";
    case 'O':
    case 'D':
    case 'Q':
      return "0";
    case 'I':
      return "1";
    case 'Z':
      return "2";
    case 'S':
      return "5";
    case 'G':
      return "6";
    case 'B':
      return "8";
    default:
      return "";
  }
}

// Brazil: the old grey plates LLL DDDD and Mercosur LLL D L DD; nothing else is issued.
const std::vector<std::string_view> kBrazilPatterns = {"LLLDDDD", "LLLDLDD"};
// A Brazilian plate read is trusted to be one of them unless that costs more than this (a
// 1000:1 odds against the change in one slot, or several weaker ones).
constexpr float kBrazilMaxPenalty = 6.9f;
// European formats keep letters and digits in groups (RK 123-AB, B-AB 1234, AB-123-CD), so a
// look-alike inside the other kind's group is switched when the recognizer found it plausible
// (odds no worse than 1:20 against it).
constexpr float kEuLookAlikeMaxPenalty = 3.0f;
// Without a region, only near coin-flips are settled by the neighbours: some US formats put a
// digit between letters on purpose (AB1C2D).
constexpr float kAutoLookAlikeMaxPenalty = 0.7f;
constexpr float kAutoBrazilMaxPenalty = 1.0f;

}  // namespace

std::optional<Region> regionFromString(std::string_view text) {
  if (text == "auto") return Region::Auto;
  if (text == "us") return Region::Us;
  if (text == "eu") return Region::Eu;
  if (text == "br") return Region::Br;
  return std::nullopt;
}

const char* toString(Region region) {
  switch (region) {
    case Region::Us:
      return "us";
    case Region::Eu:
      return "eu";
    case Region::Br:
      return "br";
    case Region::Auto:
      break;
  }
  return "auto";
}

std::optional<PatternFit> fitPattern(const std::vector<SlotProbs>& probs,
                                     const std::vector<int>& classes, std::string_view pattern,
                                     float maxPenalty) {
  const auto slots = textSlots(classes);
  if (slots.size() != pattern.size()) return std::nullopt;
  PatternFit fit{classes, 0.0f};
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const std::size_t s = slots[i];
    const int c = classes[s];
    const bool wantLetter = pattern[i] == 'L';
    if (pattern[i] == '?' || (wantLetter ? isLetterClass(c) : isDigitClass(c))) continue;
    const int alt = bestOfKind(probs[s], wantLetter);
    fit.penalty += logp(probs[s], c) - logp(probs[s], alt);
    fit.classes[s] = alt;
  }
  if (fit.penalty > maxPenalty) return std::nullopt;
  return fit;
}

std::optional<PatternFit> fitBestPattern(const std::vector<SlotProbs>& probs,
                                         const std::vector<int>& classes,
                                         const std::vector<std::string_view>& patterns,
                                         float maxPenalty) {
  std::optional<PatternFit> best;
  for (auto pattern : patterns) {
    auto fit = fitPattern(probs, classes, pattern, maxPenalty);
    if (fit && (!best || fit->penalty < best->penalty)) best = std::move(fit);
  }
  return best;
}

std::vector<int> repairLookAlikes(const std::vector<SlotProbs>& probs, std::vector<int> classes,
                                  float maxPenalty) {
  const auto slots = textSlots(classes);
  for (std::size_t i = 1; i + 1 < slots.size(); ++i) {
    const std::size_t s = slots[i];
    const int c = classes[s];
    const int left = classes[slots[i - 1]];
    const int right = classes[slots[i + 1]];
    const bool betweenDigits = isLetterClass(c) && isDigitClass(left) && isDigitClass(right);
    const bool betweenLetters = isDigitClass(c) && isLetterClass(left) && isLetterClass(right);
    if (!betweenDigits && !betweenLetters) continue;
    int best = -1;
    for (char alt : lookAlikes(classChar(c))) {
      const int a = charClass(alt);
      if (best < 0 || probs[s][a] > probs[s][best]) best = a;
    }
    if (best >= 0 && logp(probs[s], c) - logp(probs[s], best) <= maxPenalty) classes[s] = best;
  }
  return classes;
}

std::vector<int> usZeroForO(std::vector<int> classes) {
  const int o = charClass('O');
  for (int& c : classes) {
    if (c == o) c = 0;
  }
  return classes;
}

std::vector<int> repairPlate(const std::vector<SlotProbs>& probs, const std::vector<int>& classes,
                             Region region) {
  switch (region) {
    case Region::Br:
      if (auto fit = fitBestPattern(probs, classes, kBrazilPatterns, kBrazilMaxPenalty)) {
        return fit->classes;
      }
      return classes;
    case Region::Us:
      return usZeroForO(classes);
    case Region::Eu:
      return repairLookAlikes(probs, classes, kEuLookAlikeMaxPenalty);
    case Region::Auto:
      if (auto fit = fitBestPattern(probs, classes, kBrazilPatterns, kAutoBrazilMaxPenalty)) {
        return fit->classes;
      }
      return repairLookAlikes(probs, classes, kAutoLookAlikeMaxPenalty);
  }
  return classes;
}

}  // namespace lpr::ocr
