// A small metrics library: counters, gauges and histograms with fixed buckets, grouped in
// labelled families, rendered in the Prometheus text exposition format (0.0.4).
//
// Updating a metric is a relaxed atomic operation and takes no lock. Looking up a labelled
// child takes the family's mutex, so code on the hot path looks its children up once (at
// start, or on first use) and keeps the reference; children are never destroyed while the
// registry lives.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace crossgate::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  // For a counter that mirrors a count kept elsewhere (e.g. the token cache's hits),
  // refreshed by a collector before rendering.
  void mirror(std::uint64_t total) { value_.store(total, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { bits_.store(std::bit_cast<std::uint64_t>(v), std::memory_order_relaxed); }
  void add(double delta) {
    std::uint64_t old = bits_.load(std::memory_order_relaxed);
    while (!bits_.compare_exchange_weak(
        old, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + delta),
        std::memory_order_relaxed)) {
    }
  }
  double value() const { return std::bit_cast<double>(bits_.load(std::memory_order_relaxed)); }

 private:
  std::atomic<std::uint64_t> bits_{std::bit_cast<std::uint64_t>(0.0)};
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, increasing; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then the +Inf count (which is the total).
  std::vector<std::uint64_t> cumulative_counts() const;
  double sum() const { return sum_.value(); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, +Inf last
  Gauge sum_;
};

enum class Type : std::uint8_t { kCounter, kGauge, kHistogram };

// A metric name with its label names; one child per combination of label values.
template <class Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<Metric>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // The child for these label values (in the order of the label names).
  Metric& with(const std::vector<std::string>& values) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = children_.find(values);
    if (it == children_.end()) it = children_.emplace(values, make_()).first;
    return *it->second;
  }

  // Drops every child (for info-style gauges whose labels change). References to dropped
  // children must not be used afterwards.
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    children_.clear();
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  template <class F>
  void for_each(F&& visit) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [values, metric] : children_)
      visit(values, *metric);
  }

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

class Registry {
 public:
  Family<Counter>& counter(std::string name, std::string help,
                           std::vector<std::string> labels = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<double> bounds,
                               std::vector<std::string> labels = {});

  // Called at the start of every render(), to refresh gauges that are computed (e.g. the
  // age of the active bundle).
  void on_collect(std::function<void()> refresh);

  // The Prometheus text exposition format, families in registration order.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::deque<Family<Counter>> counters_;
  std::deque<Family<Gauge>> gauges_;
  std::deque<Family<Histogram>> histograms_;
  std::vector<std::pair<Type, std::size_t>> order_;
  std::vector<std::function<void()>> collectors_;
};

// Exponential bucket bounds: start, start*factor, ... (count bounds).
std::vector<double> exponential_buckets(double start, double factor, int count);

// Label values and HELP text escaped as the exposition format requires.
std::string escape_label_value(std::string_view value);

}  // namespace crossgate::metrics
