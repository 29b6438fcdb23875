// A latency histogram for the load generator: log-bucketed like HdrHistogram (64 linear
// sub-buckets per power of two, so any recorded value is known to within 1/64, about
// 1.6%), fixed size, no allocation when recording, and mergeable across threads.
#pragma once

#include <array>
#include <cstdint>

namespace crossgate::loadgen {

class Histogram {
 public:
  // Values are non-negative integers (the load generator records nanoseconds).
  void record(std::uint64_t value);
  void merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const;

  // The smallest recorded value v such that at least `quantile` (0..1) of the recorded values
  // are <= v, reported as the upper end of v's bucket (never below the true quantile) and
  // clamped to the largest value recorded. 0 when empty.
  std::uint64_t value_at(double quantile) const;

  // The bucket a value falls in, and the largest value of a bucket: exposed for the tests.
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_upper(std::size_t bucket);

  static constexpr int kSubBucketBits = 6;  // 64 sub-buckets per power of two
  static constexpr std::size_t kBuckets = (64 - kSubBucketBits + 1) << kSubBucketBits;

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace crossgate::loadgen
