#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

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

// The decision stage registers a counter while holding the lock its pending gauge reads under.
// A scrape that held the registry's lock while reading gauges deadlocked against it (CI saw the
// whole gateway freeze). Here a series is registered from another thread while a gauge is being
// read: it must complete then, not after the scrape. The bound only ends a deadlocked run.
TEST(MetricsTest, ASeriesCanBeRegisteredWhileAScrapeReadsAGauge) {
  Metrics m;
  bool registeredDuringScrape = false;
  // Outside the gauge: in a deadlocked run its destructor waits for the registration, which
  // can only finish after the scrape.
  std::future<void> registering;
  m.gauge("lpr_decision_pending", "Reads waiting", {}, [&] {
    if (!registering.valid()) {
      registering = std::async(std::launch::async, [&] {
        m.counter("lpr_decisions_total", "Decided", {{"decided_by", "2n"}}).inc();
      });
      registeredDuringScrape =
          registering.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    }
    return 2.0;
  });
  const std::string text = m.renderPrometheus();
  registering.wait();
  EXPECT_TRUE(registeredDuringScrape);
  EXPECT_NE(text.find("lpr_decision_pending 2\n"), std::string::npos) << text;
  EXPECT_NE(m.renderPrometheus().find("lpr_decisions_total{decided_by=\"2n\"} 1\n"),
            std::string::npos);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(renderLabels({{"kind", "a\"b\\c"}}), "{kind=\"a\\\"b\\\\c\"}");
}

}  // namespace
}  // namespace lpr
