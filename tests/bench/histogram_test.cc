// The load generator's latency histogram: the percentiles the load benchmark reports must be
// within the histogram's stated precision of the exact ones, never below them, and merging
// per-thread histograms must give the same answer as one histogram.
#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using crossgate::loadgen::Histogram;

namespace {

// The exact value at `quantile`: the sorted sample at rank ceil(q * n).
std::uint64_t exact(std::vector<std::uint64_t> values, double quantile) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(quantile * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace

TEST_CASE("histogram percentiles are within 1/64 of the exact ones and never below") {
  std::mt19937_64 random(42);
  // Latencies from 20 us to about 50 ms, log-uniform, like a loaded server's tail.
  std::lognormal_distribution<double> latency(11.0, 1.2);
  std::vector<std::uint64_t> values;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<std::uint64_t>(latency(random));
    values.push_back(v);
    h.record(v);
  }
  for (double q : {0.5, 0.9, 0.99, 0.999, 1.0}) {
    const std::uint64_t want = exact(values, q);
    const std::uint64_t got = h.value_at(q);
    INFO("quantile " << q << ": exact " << want << ", histogram " << got);
    CHECK(got >= want);
    CHECK(static_cast<double>(got - want) <= static_cast<double>(want) / 64.0 + 1.0);
  }
  CHECK(h.count() == values.size());
  CHECK(h.max() == *std::max_element(values.begin(), values.end()));
  CHECK(h.min() == *std::min_element(values.begin(), values.end()));
  CHECK(h.value_at(1.0) == h.max());
}

TEST_CASE("histogram: small values are exact and percentiles are ordered") {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v)
    h.record(v);
  CHECK(h.value_at(0.5) == 50);
  CHECK(h.value_at(0.99) == 99);
  CHECK(h.value_at(0.999) == 100);
  CHECK(h.mean() == 50.5);
  CHECK(h.value_at(0.5) <= h.value_at(0.99));
}

TEST_CASE("histogram buckets cover every 64-bit value without gaps") {
  std::size_t previous = 0;
  for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128},
                          std::uint64_t{1'000'000}, UINT64_MAX}) {
    const std::size_t b = Histogram::bucket_of(v);
    CHECK(b < Histogram::kBuckets);
    CHECK(b >= previous);
    CHECK(Histogram::bucket_upper(b) >= v);
    if (b > 0) CHECK(Histogram::bucket_upper(b - 1) < v);
    previous = b;
  }
  CHECK(Histogram::bucket_of(UINT64_MAX) == Histogram::kBuckets - 1);
}

TEST_CASE("merged per-thread histograms answer like one histogram") {
  Histogram a, b, all;
  for (std::uint64_t v = 0; v < 10000; ++v) {
    (v % 3 == 0 ? a : b).record(v * 37);
    all.record(v * 37);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  for (double q : {0.1, 0.5, 0.99, 0.999})
    CHECK(a.value_at(q) == all.value_at(q));
  CHECK(a.max() == all.max());
  CHECK(a.min() == all.min());
}

TEST_CASE("an empty histogram reports zeros") {
  Histogram h;
  CHECK(h.count() == 0);
  CHECK(h.value_at(0.99) == 0);
  CHECK(h.mean() == 0);
  CHECK(h.min() == 0);
}
