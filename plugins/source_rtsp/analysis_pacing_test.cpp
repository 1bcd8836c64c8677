#include "analysis_pacing.h"

#include <gtest/gtest.h>

namespace lpr::plugins::source_rtsp {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0{};

TEST(RateLimiterTest, AdmitsAtMostTheConfiguredRate) {
  RateLimiter limiter(5.0);  // one per 200 ms
  int admitted = 0;
  for (int i = 0; i < 25; ++i) admitted += limiter.admit(t0 + i * 40ms) ? 1 : 0;  // 1 s at 25 fps
  EXPECT_EQ(admitted, 5);
}

TEST(RateLimiterTest, ZeroMeansNoLimit) {
  RateLimiter limiter(0.0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.admit(t0));
}

TEST(TriggerWindowTest, OpenOnlyWithinTheWindowAfterATrigger) {
  TriggerWindow window(1000ms);
  EXPECT_FALSE(window.open(t0));
  window.fire(t0 + 100ms);
  EXPECT_TRUE(window.open(t0 + 100ms));
  EXPECT_TRUE(window.open(t0 + 1100ms));
  EXPECT_FALSE(window.open(t0 + 1101ms));
}

}  // namespace
}  // namespace lpr::plugins::source_rtsp
