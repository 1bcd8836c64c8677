#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace lpr::ocr {

// fast-plate-ocr cct-xs-v2: a fixed number of character slots, each a distribution over this
// alphabet; '_' pads plates shorter than the slot count.
inline constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_";
inline constexpr int kClassCount = 37;
inline constexpr int kPadClass = 36;

using SlotProbs = std::array<float, kClassCount>;

inline bool isDigitClass(int c) { return c >= 0 && c < 10; }
inline bool isLetterClass(int c) { return c >= 10 && c < kPadClass; }
inline char classChar(int c) { return kAlphabet[static_cast<std::size_t>(c)]; }
int charClass(char ch);  // -1 for a character outside the alphabet

// Softmax per slot of the recognizer's logits, laid out [slots][classes] (row-major).
std::vector<SlotProbs> softmaxSlots(const float* logits, int slots, int classes);

// The most probable class per slot.
std::vector<int> argmaxSlots(const std::vector<SlotProbs>& probs);

// The plate text of per-slot classes: pad slots dropped, wherever they are.
std::string slotsText(const std::vector<int>& classes);

// Probabilities of the chosen class in the slots that carry the text, plus the first pad slot
// (it fixes the length); the plate confidence is built from these.
std::vector<float> chosenProbabilities(const std::vector<SlotProbs>& probs,
                                       const std::vector<int>& classes);

}  // namespace lpr::ocr
