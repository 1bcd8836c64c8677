#include "ocr/slot_decoding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lpr::ocr {

int charClass(char ch) {
  const auto pos = kAlphabet.find(ch);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::vector<SlotProbs> softmaxSlots(const float* logits, int slots, int classes) {
  if (classes != kClassCount) {
    throw std::runtime_error("plate recognizer: expected " + std::to_string(kClassCount) +
                             " classes per slot, got " + std::to_string(classes));
  }
  std::vector<SlotProbs> out(static_cast<std::size_t>(slots));
  for (int s = 0; s < slots; ++s) {
    const float* row = logits + static_cast<std::ptrdiff_t>(s) * classes;
    const float mx = *std::max_element(row, row + classes);
    float sum = 0.0f;
    for (int c = 0; c < classes; ++c) sum += out[s][c] = std::exp(row[c] - mx);
    for (float& p : out[s]) p /= sum;
  }
  return out;
}

std::vector<int> argmaxSlots(const std::vector<SlotProbs>& probs) {
  std::vector<int> out;
  out.reserve(probs.size());
  for (const auto& p : probs) {
    out.push_back(static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));
  }
  return out;
}

std::string slotsText(const std::vector<int>& classes) {
  std::string text;
  for (int c : classes) {
    if (c != kPadClass) text += classChar(c);
  }
  return text;
}

std::vector<float> chosenProbabilities(const std::vector<SlotProbs>& probs,
                                       const std::vector<int>& classes) {
  std::vector<float> out;
  bool padSeen = false;
  for (std::size_t s = 0; s < classes.size() && s < probs.size(); ++s) {
    if (classes[s] == kPadClass) {
      if (padSeen) continue;
      padSeen = true;
    }
    out.push_back(probs[s][static_cast<std::size_t>(classes[s])]);
  }
  return out;
}

}  // namespace lpr::ocr
