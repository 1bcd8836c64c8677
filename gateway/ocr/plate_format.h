#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ocr/slot_decoding.h"

namespace lpr::ocr {

// Which plate formats the reader may assume. Auto assumes only what holds almost everywhere.
enum class Region { Auto, Us, Eu, Br };

std::optional<Region> regionFromString(std::string_view text);  // "auto" | "us" | "eu" | "br"
const char* toString(Region region);

// A plate text forced into a letter/digit pattern, and what that cost: the sum over changed
// slots of log p(read class) - log p(new class), so 0 when nothing changed.
struct PatternFit {
  std::vector<int> classes;
  float penalty = 0.0f;
};

// Fits the text slots to `pattern` ('L' letter, 'D' digit, '?' either), one character per text
// slot; each slot that breaks it takes its most probable class of the required kind. nullopt
// when the length differs or the cost exceeds maxPenalty.
std::optional<PatternFit> fitPattern(const std::vector<SlotProbs>& probs,
                                     const std::vector<int>& classes, std::string_view pattern,
                                     float maxPenalty);

// The cheapest fit among several patterns (nullopt when none fits).
std::optional<PatternFit> fitBestPattern(const std::vector<SlotProbs>& probs,
                                         const std::vector<int>& classes,
                                         const std::vector<std::string_view>& patterns,
                                         float maxPenalty);

// Position-aware look-alike repair without a fixed format: a character whose neighbours on both
// sides are of the other kind (a letter between digits, a digit between letters) becomes its
// look-alike of that kind (O/D/Q↔0, I↔1, Z↔2, S↔5, G↔6, B↔8) when the recognizer gave that
// look-alike a probability within exp(maxPenalty) of the read.
std::vector<int> repairLookAlikes(const std::vector<SlotProbs>& probs, std::vector<int> classes,
                                  float maxPenalty);

// US plates: standard-issue serials leave out the letter O (it cannot be told from the digit),
// and the zero-slashed or not, the character is recorded as the digit 0; so O reads as 0.
std::vector<int> usZeroForO(std::vector<int> classes);

// The region's format knowledge applied to a read (classes per slot, e.g. argmaxSlots()).
std::vector<int> repairPlate(const std::vector<SlotProbs>& probs, const std::vector<int>& classes,
                             Region region);

}  // namespace lpr::ocr
