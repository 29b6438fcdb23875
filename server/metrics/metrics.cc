#include "server/metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace crossgate::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  // The first bucket whose upper bound is >= value (le semantics); +Inf otherwise.
  std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.add(value);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> out;
  double bound = start;
  for (int i = 0; i < count; ++i) {
    out.push_back(bound);
    bound *= factor;
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  order_.emplace_back(Type::kCounter, counters_.size());
  return counters_.emplace_back(std::move(name), std::move(help), std::move(labels),
                                [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  order_.emplace_back(Type::kGauge, gauges_.size());
  return gauges_.emplace_back(std::move(name), std::move(help), std::move(labels),
                              [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<double> bounds,
                                       std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  order_.emplace_back(Type::kHistogram, histograms_.size());
  return histograms_.emplace_back(std::move(name), std::move(help), std::move(labels),
                                  [bounds] { return std::make_unique<Histogram>(bounds); });
}

void Registry::on_collect(std::function<void()> refresh) {
  std::lock_guard<std::mutex> lock(mutex_);
  collectors_.push_back(std::move(refresh));
}

namespace {

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double ("0.1", not "0.10000000000000001").
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

std::string labels_text(const std::vector<std::string>& names,
                        const std::vector<std::string>& values, const std::string& extra_name = {},
                        const std::string& extra_value = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra_name + "=\"" + extra_value + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

template <class Metric>
void header(std::string& out, const Family<Metric>& family, const char* type) {
  out += "# HELP " + family.name() + " " + escape_help(family.help()) + "\n";
  out += "# TYPE " + family.name() + " " + type + "\n";
}

}  // namespace

std::string Registry::render() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& refresh : collectors)
    refresh();
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [type, index] : order_) {
    switch (type) {
      case Type::kCounter: {
        const Family<Counter>& f = counters_[index];
        header(out, f, "counter");
        f.for_each([&](const std::vector<std::string>& values, const Counter& c) {
          out += f.name() + labels_text(f.label_names(), values) + " " + std::to_string(c.value()) +
                 "\n";
        });
        break;
      }
      case Type::kGauge: {
        const Family<Gauge>& f = gauges_[index];
        header(out, f, "gauge");
        f.for_each([&](const std::vector<std::string>& values, const Gauge& g) {
          out += f.name() + labels_text(f.label_names(), values) + " " + format_number(g.value()) +
                 "\n";
        });
        break;
      }
      case Type::kHistogram: {
        const Family<Histogram>& f = histograms_[index];
        header(out, f, "histogram");
        f.for_each([&](const std::vector<std::string>& values, const Histogram& h) {
          std::vector<std::uint64_t> counts = h.cumulative_counts();
          for (std::size_t i = 0; i < h.bounds().size(); ++i) {
            out += f.name() + "_bucket" +
                   labels_text(f.label_names(), values, "le", format_number(h.bounds()[i])) + " " +
                   std::to_string(counts[i]) + "\n";
          }
          out += f.name() + "_bucket" + labels_text(f.label_names(), values, "le", "+Inf") + " " +
                 std::to_string(counts.back()) + "\n";
          out += f.name() + "_sum" + labels_text(f.label_names(), values) + " " +
                 format_number(h.sum()) + "\n";
          out += f.name() + "_count" + labels_text(f.label_names(), values) + " " +
                 std::to_string(counts.back()) + "\n";
        });
        break;
      }
    }
  }
  return out;
}

}  // namespace crossgate::metrics
