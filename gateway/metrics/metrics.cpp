#include "metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace lpr {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  std::size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  std::lock_guard lock(mutex_);
  buckets_[i]++;
  sum_ += value;
  count_++;
}

Histogram::Snapshot Histogram::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot s{bounds_, {}, sum_, count_};
  std::uint64_t running = 0;
  for (auto b : buckets_) {
    running += b;
    s.cumulative.push_back(running);
  }
  return s;
}

const std::vector<double>& Metrics::latencyBoundsSeconds() {
  static const std::vector<double> bounds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
                                          0.1,    0.25,  0.5,   1,     2.5,  5,     10};
  return bounds;
}

namespace {

std::string escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);  // shortest round-trip form
  return std::string(buffer, result.ptr);
}

std::string withLabel(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string renderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + escape(labels[i].second) + "\"";
  }
  return out + "}";
}

Metrics::Family& Metrics::family(const std::string& name, const std::string& help,
                                 const std::string& type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "counter").counters[renderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const Labels& labels, const std::vector<double>& bounds) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[renderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void Metrics::gauge(const std::string& name, const std::string& help, const Labels& labels,
                    std::function<double()> read) {
  std::lock_guard lock(mutex_);
  family(name, help, "gauge").gauges[renderLabels(labels)] = std::move(read);
}

std::string Metrics::renderPrometheus() const {
  // Gauges read their owner's state under the owner's lock, and owners register series while
  // holding that lock: reading them under mutex_ deadlocked a scrape against the decision stage
  // (and with it every ingest). The registry is copied under mutex_ and read without it, so
  // mutex_ is never held while other code runs. Counters and histograms are never removed.
  struct Series {
    std::string name, help, type;
    std::vector<std::pair<std::string, const Counter*>> counters;
    std::vector<std::pair<std::string, std::function<double()>>> gauges;
    std::vector<std::pair<std::string, const Histogram*>> histograms;
  };
  std::vector<Series> copy;
  {
    std::lock_guard lock(mutex_);
    copy.reserve(families_.size());
    for (const auto& [name, f] : families_) {
      Series& s = copy.emplace_back(Series{name, f.help, f.type, {}, {}, {}});
      for (const auto& [labels, c] : f.counters) s.counters.emplace_back(labels, c.get());
      for (const auto& [labels, g] : f.gauges) s.gauges.emplace_back(labels, g);
      for (const auto& [labels, h] : f.histograms) s.histograms.emplace_back(labels, h.get());
    }
  }
  std::ostringstream out;
  for (const Series& f : copy) {
    const std::string& name = f.name;
    out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << f.type << "\n";
    for (const auto& [labels, c] : f.counters) out << name << labels << " " << c->value() << "\n";
    for (const auto& [labels, g] : f.gauges)
      out << name << labels << " " << formatNumber(g()) << "\n";
    for (const auto& [labels, h] : f.histograms) {
      auto s = h->snapshot();
      for (std::size_t i = 0; i < s.bounds.size(); ++i) {
        out << name << "_bucket" << withLabel(labels, "le=\"" + formatNumber(s.bounds[i]) + "\"")
            << " " << s.cumulative[i] << "\n";
      }
      out << name << "_bucket" << withLabel(labels, "le=\"+Inf\"") << " " << s.count << "\n";
      out << name << "_sum" << labels << " " << formatNumber(s.sum) << "\n";
      out << name << "_count" << labels << " " << s.count << "\n";
    }
  }
  return out.str();
}

}  // namespace lpr
