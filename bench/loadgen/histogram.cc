// Log-bucketed latency histogram; see histogram.h.
#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace crossgate::loadgen {

namespace {
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << Histogram::kSubBucketBits;
}  // namespace

std::size_t Histogram::bucket_of(std::uint64_t value) {
  // Below two powers of the sub-bucket count every value has its own bucket; above, each
  // power of two [2^k, 2^(k+1)) is split into kSubBuckets equal parts.
  if (value < 2 * kSubBuckets) return static_cast<std::size_t>(value);
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBucketBits;
  return static_cast<std::size_t>(shift) * kSubBuckets + (value >> shift);
}

std::uint64_t Histogram::bucket_upper(std::size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const std::size_t shift = bucket / kSubBuckets - 1;
  const std::uint64_t mantissa = bucket - shift * kSubBuckets;
  // For the last bucket this wraps to exactly UINT64_MAX, which is its true upper end.
  return ((mantissa + 1) << shift) - 1;
}

void Histogram::record(std::uint64_t value) {
  ++counts_[bucket_of(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t Histogram::value_at(double quantile) const {
  if (count_ == 0) return 0;
  if (quantile <= 0) return min_;
  const double wanted = std::ceil(std::min(quantile, 1.0) * static_cast<double>(count_));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucket_upper(i), max_);
  }
  return max_;
}

}  // namespace crossgate::loadgen
