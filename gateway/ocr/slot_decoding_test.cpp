#include "ocr/slot_decoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace lpr::ocr {
namespace {

// Logits for slots, each slot's winner given as a character, with `margin` over the rest.
std::vector<float> logitsFor(const std::string& perSlot, float margin = 5.0f) {
  std::vector<float> logits(perSlot.size() * kClassCount, 0.0f);
  for (std::size_t s = 0; s < perSlot.size(); ++s) {
    logits[s * kClassCount + charClass(perSlot[s])] = margin;
  }
  return logits;
}

TEST(SlotDecodingTest, CharClassesFollowTheModelAlphabet) {
  EXPECT_EQ(charClass('0'), 0);
  EXPECT_EQ(charClass('9'), 9);
  EXPECT_EQ(charClass('A'), 10);
  EXPECT_EQ(charClass('Z'), 35);
  EXPECT_EQ(charClass('_'), kPadClass);
  EXPECT_EQ(charClass('a'), -1);
  EXPECT_EQ(charClass('-'), -1);
  EXPECT_TRUE(isDigitClass(charClass('7')));
  EXPECT_TRUE(isLetterClass(charClass('Q')));
  EXPECT_FALSE(isLetterClass(kPadClass));
}

TEST(SlotDecodingTest, SoftmaxPerSlotSumsToOne) {
  const auto logits = logitsFor("AB1_", 3.0f);
  const auto probs = softmaxSlots(logits.data(), 4, kClassCount);
  ASSERT_EQ(probs.size(), 4u);
  for (const auto& p : probs) {
    float sum = 0.0f;
    for (float v : p) sum += v;
    EXPECT_NEAR(sum, 1.0f, 1e-5f);
  }
  const float expected = std::exp(3.0f) / (std::exp(3.0f) + 36.0f);
  EXPECT_NEAR(probs[0][charClass('A')], expected, 1e-5f);
}

TEST(SlotDecodingTest, RejectsAnotherAlphabetSize) {
  std::vector<float> logits(10 * 36);
  EXPECT_THROW(softmaxSlots(logits.data(), 10, 36), std::runtime_error);
}

TEST(SlotDecodingTest, TextDropsPadSlots) {
  const auto logits = logitsFor("AB123CD___");
  const auto probs = softmaxSlots(logits.data(), 10, kClassCount);
  const auto classes = argmaxSlots(probs);
  EXPECT_EQ(slotsText(classes), "AB123CD");
  // A pad in the middle is dropped too, as fast-plate-ocr does.
  EXPECT_EQ(slotsText(argmaxSlots(softmaxSlots(logitsFor("AB_12_").data(), 6, kClassCount))),
            "AB12");
}

TEST(SlotDecodingTest, ChosenProbabilitiesCoverTextAndTheEndOfPlate) {
  const auto probs = softmaxSlots(logitsFor("AB1___").data(), 6, kClassCount);
  const auto chosen = chosenProbabilities(probs, argmaxSlots(probs));
  EXPECT_EQ(chosen.size(), 4u);  // A, B, 1 and the first pad
}

}  // namespace
}  // namespace lpr::ocr
