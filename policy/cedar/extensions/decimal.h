// Cedar's `decimal` extension type: fixed point with four fractional digits.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crossgate::cedar::ext {

struct Decimal {
  // The value times 10^4, so that 1.5 is 15000; the range is that of int64.
  std::int64_t scaled = 0;
  friend auto operator<=>(const Decimal&, const Decimal&) = default;
};

// Parses Cedar's decimal syntax: an optional '-', one or more digits, '.', and one to four
// digits. Anything else, or a value outside the int64 range once scaled, is refused.
std::optional<Decimal> parse_decimal(std::string_view text);

// Canonical text with four fractional digits, e.g. "-1.5000".
std::string to_string(Decimal value);

}  // namespace crossgate::cedar::ext
