// Cedar `decimal`: parsing and printing of fixed-point values with four fractional digits.
//
// Reference: cedar-policy-core/src/extensions/decimal.rs (`Decimal::from_str`, `Display`).
// The Rust accepts exactly `^(-?\d+)\.(\d+)$` with at most four fractional digits, and
// refuses any value whose scaled form does not fit in an i64. Leading zeros in the integer
// part are fine ("007.5"), a '+' sign is not, and "-0.5" is negative because the sign is
// taken from the text rather than from the parsed integer part.
#include "policy/cedar/extensions/decimal.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace crossgate::cedar::ext {
namespace {

constexpr std::size_t kFractionDigits = 4;
constexpr std::uint64_t kScale = 10'000;  // 10^kFractionDigits

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads a run of ASCII digits as an unsigned number; refuses an empty run, a non-digit or
// a value beyond uint64 (which is beyond any decimal anyway).
std::optional<std::uint64_t> read_unsigned(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    if (__builtin_mul_overflow(value, 10u, &value) ||
        __builtin_add_overflow(value, static_cast<unsigned>(c - '0'), &value)) {
      return std::nullopt;
    }
  }
  return value;
}

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);

  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view whole_digits = text.substr(0, dot);
  const std::string_view fraction_digits = text.substr(dot + 1);
  if (fraction_digits.empty() || fraction_digits.size() > kFractionDigits) return std::nullopt;

  const std::optional<std::uint64_t> whole = read_unsigned(whole_digits);
  std::optional<std::uint64_t> fraction = read_unsigned(fraction_digits);
  if (!whole || !fraction) return std::nullopt;
  // "1.5" means 1.5000: pad the fraction to four digits.
  for (std::size_t i = fraction_digits.size(); i < kFractionDigits; ++i)
    *fraction *= 10;

  // Work with the magnitude so that both ends of the i64 range are reachable: the negative
  // end is one larger than the positive one.
  std::uint64_t magnitude = 0;
  if (__builtin_mul_overflow(*whole, kScale, &magnitude) ||
      __builtin_add_overflow(magnitude, *fraction, &magnitude)) {
    return std::nullopt;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > (negative ? kMax + 1 : kMax)) return std::nullopt;
  // Unsigned negation then conversion is well defined (modular) and yields INT64_MIN for 2^63.
  return Decimal{static_cast<std::int64_t>(negative ? 0 - magnitude : magnitude)};
}

std::string to_string(Decimal value) {
  // The magnitude as unsigned so that INT64_MIN does not overflow on negation.
  const auto raw = static_cast<std::uint64_t>(value.scaled);
  const std::uint64_t magnitude = value.scaled < 0 ? 0 - raw : raw;
  std::string out;
  if (value.scaled < 0) out += '-';
  out += std::to_string(magnitude / kScale);
  out += '.';
  std::string fraction = std::to_string(magnitude % kScale);
  out.append(kFractionDigits - fraction.size(), '0');
  out += fraction;
  return out;
}

}  // namespace crossgate::cedar::ext
