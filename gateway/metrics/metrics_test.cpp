#include "metrics/metrics.h"

#include <gtest/gtest.h>

namespace lpr {
namespace {

TEST(MetricsTest, RendersPrometheusTextFormat) {
  Metrics m;
  m.counter("lpr_events_in_total", "Events in", {{"plugin", "cam"}}).inc(3);
  m.counter("lpr_events_in_total", "Events in", {{"plugin", "cam"}}).inc();
  m.gauge("lpr_queue_depth", "Queue", {{"plugin", "mqtt"}}, [] { return 5.0; });
  auto& h = m.histogram("lpr_latency_seconds", "Latency", {{"plugin", "mqtt"}}, {0.001, 0.01});
  h.observe(0.0005);
  h.observe(0.005);
  h.observe(1);
  std::string text = m.renderPrometheus();
  EXPECT_NE(text.find("# TYPE lpr_events_in_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("lpr_events_in_total{plugin=\"cam\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("lpr_queue_depth{plugin=\"mqtt\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("lpr_latency_seconds_bucket{plugin=\"mqtt\",le=\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("lpr_latency_seconds_bucket{plugin=\"mqtt\",le=\"0.01\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("lpr_latency_seconds_bucket{plugin=\"mqtt\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("lpr_latency_seconds_count{plugin=\"mqtt\"} 3\n"), std::string::npos);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(renderLabels({{"kind", "a\"b\\c"}}), "{kind=\"a\\\"b\\\\c\"}");
}

}  // namespace
}  // namespace lpr
