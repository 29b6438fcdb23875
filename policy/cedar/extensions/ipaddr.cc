// Cedar `ipaddr`: parsing, range predicates, ordering and printing of CIDR values.
//
// Reference: cedar-policy-core/src/extensions/ipaddr.rs (`IPAddr::from_str`, `parse_prefix`,
// `str_contains_colons_and_dots`, `is_loopback`, `is_multicast`, `is_in_range`, `Display`),
// which delegates the address syntax to Rust's `std::net::IpAddr::from_str`. What that
// accepts, and so what this file accepts:
//   - IPv4: exactly four decimal octets of one to three digits, each at most 255, with no
//     leading zero ("0" is fine, "01" and "00" are not).
//   - IPv6: eight groups of one to four hex digits (either case, leading zeros allowed), or
//     fewer groups around a single "::" that stands for at least one zero group.
//   - IPv4 embedded in IPv6 ("::ffff:1.2.3.4") is refused: Cedar rejects any text with two
//     colons and two dots, and every embedded form has at least that many.
//   - An optional "/prefix" (split at the first '/'): decimal, at most two digits for IPv4
//     and three for IPv6, no leading zero, at most 32 or 128.
//   - No whitespace, zone ids ("%eth0") or brackets anywhere, and at most 43 characters.
#include "policy/cedar/extensions/ipaddr.h"

#include <array>
#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace crossgate::cedar::ext {
namespace {

constexpr std::uint8_t kV4Bits = 32;
constexpr std::uint8_t kV6Bits = 128;
// len("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128"); no valid text is longer.
constexpr std::size_t kMaxTextLength = 43;

// A 128-bit address split in halves, ordered numerically.
struct Bits128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend auto operator<=>(const Bits128&, const Bits128&) = default;
};

// The `count` least significant bits set, for count in [0, 128].
Bits128 low_ones(unsigned count) {
  constexpr std::uint64_t kAll = ~std::uint64_t{0};
  if (count == 0) return {0, 0};
  if (count < 64) return {0, (std::uint64_t{1} << count) - 1};
  if (count == 64) return {0, kAll};
  if (count < 128) return {(std::uint64_t{1} << (count - 64)) - 1, kAll};
  return {kAll, kAll};
}

// First and last address a CIDR value covers: the address with its host bits cleared, and
// with them set (the Lean spec's CIDR.range; the Rust's network and broadcast addresses).
struct Range {
  Bits128 first;
  Bits128 last;
};

Range range_of(const IpAddr& ip) {
  const unsigned width = ip.is_v6 ? kV6Bits : kV4Bits;
  const Bits128 host = low_ones(width - ip.prefix_length);
  return {{ip.high & ~host.high, ip.low & ~host.low}, {ip.high | host.high, ip.low | host.low}};
}

bool is_decimal_digit(char c) {
  return c >= '0' && c <= '9';
}

// The value of a hex digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decimal number without leading zeros, of one to `max_digits` digits (max_digits <= 3),
// at most `max_value`. Used for IPv4 octets and for prefixes, which follow the same rule.
std::optional<unsigned> parse_small_decimal(std::string_view text, std::size_t max_digits,
                                            unsigned max_value) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (!is_decimal_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max_value) return std::nullopt;
  return value;
}

std::optional<std::uint32_t> parse_v4(std::string_view text) {
  std::uint32_t address = 0;
  for (int octet = 0; octet < 4; ++octet) {
    // The last octet runs to the end of the text; the others end at a '.'.
    std::size_t end = octet < 3 ? text.find('.') : text.size();
    if (end == std::string_view::npos) return std::nullopt;
    std::optional<unsigned> value = parse_small_decimal(text.substr(0, end), 3, 255);
    if (!value) return std::nullopt;
    address = (address << 8) | *value;
    text.remove_prefix(octet < 3 ? end + 1 : end);
  }
  return address;
}

// One group of one to four hex digits at the front of `text`, consumed on success.
std::optional<std::uint16_t> read_hex_group(std::string_view& text) {
  std::size_t length = 0;
  unsigned value = 0;
  while (length < text.size() && hex_value(text[length]) >= 0) {
    if (length == 4) return std::nullopt;  // a fifth digit
    value = value * 16 + static_cast<unsigned>(hex_value(text[length]));
    ++length;
  }
  if (length == 0) return std::nullopt;
  text.remove_prefix(length);
  return static_cast<std::uint16_t>(value);
}

std::optional<Bits128> parse_v6(std::string_view text) {
  // Groups before the "::" and after it; without a "::" only `head` is used.
  std::array<std::uint16_t, 8> head{};
  std::array<std::uint16_t, 8> tail{};
  std::size_t head_count = 0;
  std::size_t tail_count = 0;
  bool compressed = false;

  if (text.starts_with("::")) {
    compressed = true;
    text.remove_prefix(2);
  }
  while (!(compressed && text.empty())) {  // "::" may end the text; a group may not be empty
    std::optional<std::uint16_t> group = read_hex_group(text);
    if (!group) return std::nullopt;
    std::size_t& count = compressed ? tail_count : head_count;
    if (count == 8) return std::nullopt;
    (compressed ? tail : head)[count++] = *group;
    if (text.empty()) break;
    if (text.front() != ':') return std::nullopt;
    text.remove_prefix(1);
    if (text.starts_with(":")) {
      if (compressed) return std::nullopt;  // a second "::"
      compressed = true;
      text.remove_prefix(1);
    } else if (text.empty()) {
      return std::nullopt;  // a trailing single ':'
    }
  }
  // Without "::" all eight groups are written; with it, it stands for at least one.
  if (compressed ? head_count + tail_count > 7 : head_count != 8) return std::nullopt;

  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < head_count; ++i)
    groups[i] = head[i];
  for (std::size_t i = 0; i < tail_count; ++i)
    groups[8 - tail_count + i] = tail[i];
  Bits128 address;
  for (std::size_t i = 0; i < 4; ++i)
    address.high = (address.high << 16) | groups[i];
  for (std::size_t i = 4; i < 8; ++i)
    address.low = (address.low << 16) | groups[i];
  return address;
}

std::uint16_t v6_group(const IpAddr& ip, int index) {
  const std::uint64_t half = index < 4 ? ip.high : ip.low;
  return static_cast<std::uint16_t>(half >> (16 * (3 - index % 4)));
}

void append_v4(std::string& out, std::uint32_t address) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((address >> shift) & 0xff);
    if (shift > 0) out += '.';
  }
}

void append_hex(std::string& out, std::uint16_t group) {
  char buffer[4];  // four hex digits always fit
  char* end = std::to_chars(buffer, buffer + sizeof buffer, group, 16).ptr;
  out.append(buffer, end);
}

// RFC 5952 text: lower-case hex without leading zeros, the longest run of two or more
// zero groups (the first one on a tie) written as "::". Unlike Rust's Display, IPv4-mapped
// addresses stay in hex: Cedar's `ip()` refuses the dotted form, and printed values must
// read back (decision records are replayed).
void append_v6(std::string& out, const IpAddr& ip) {
  int run_start = 0;
  int run_length = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && v6_group(ip, j) == 0)
      ++j;
    if (j - i > run_length) {
      run_start = i;
      run_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  if (run_length < 2) run_length = 0;  // a single zero group is written as "0"
  for (int i = 0; i < 8; ++i) {
    if (run_length > 0 && i == run_start) {
      out += "::";
      i += run_length - 1;
      continue;
    }
    if (i > 0 && !(run_length > 0 && i == run_start + run_length)) out += ':';
    append_hex(out, v6_group(ip, i));
  }
}

IpAddr make_v4(std::uint32_t address, std::uint8_t prefix) {
  return IpAddr{.is_v6 = false, .prefix_length = prefix, .high = 0, .low = address};
}

IpAddr make_v6(std::uint64_t high, std::uint64_t low, std::uint8_t prefix) {
  return IpAddr{.is_v6 = true, .prefix_length = prefix, .high = high, .low = low};
}

}  // namespace

// The Rust checks `addr.is_loopback() && prefix >= 8` (or 128); that is the same as being
// in range of 127.0.0.0/8 or ::1/128, which is how the Lean spec states it.
bool IpAddr::is_loopback() const {
  static constexpr std::uint32_t kLoopbackV4 = 0x7f000000;
  return is_in_range(is_v6 ? make_v6(0, 1, kV6Bits) : make_v4(kLoopbackV4, 8));
}

// Likewise `addr.is_multicast() && prefix >= 4` (or 8): in range of 224.0.0.0/4 or ff00::/8.
bool IpAddr::is_multicast() const {
  static constexpr std::uint32_t kMulticastV4 = 0xe0000000;
  static constexpr std::uint64_t kMulticastV6High = 0xff00'0000'0000'0000;
  return is_in_range(is_v6 ? make_v6(kMulticastV6High, 0, 8) : make_v4(kMulticastV4, 4));
}

bool IpAddr::is_in_range(const IpAddr& range) const {
  if (is_v6 != range.is_v6) return false;
  const Range inner = range_of(*this);
  const Range outer = range_of(range);
  return outer.first <= inner.first && inner.last <= outer.last;
}

std::optional<IpAddr> parse_ipaddr(std::string_view text) {
  if (text.size() > kMaxTextLength) return std::nullopt;
  const std::size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  const bool has_prefix = slash != std::string_view::npos;
  const std::string_view prefix = has_prefix ? text.substr(slash + 1) : std::string_view{};

  // A valid IPv6 text always has a ':' and a valid IPv4 text never does, so the family is
  // known before parsing (Rust tries IPv4 first, then IPv6, with the same outcome).
  IpAddr result;
  if (address.find(':') == std::string_view::npos) {
    std::optional<std::uint32_t> v4 = parse_v4(address);
    if (!v4) return std::nullopt;
    result = make_v4(*v4, kV4Bits);
  } else {
    std::optional<Bits128> v6 = parse_v6(address);  // refuses any '.', so no embedded IPv4
    if (!v6) return std::nullopt;
    result = make_v6(v6->high, v6->low, kV6Bits);
  }
  if (has_prefix) {
    const std::optional<unsigned> length = result.is_v6 ? parse_small_decimal(prefix, 3, kV6Bits)
                                                        : parse_small_decimal(prefix, 2, kV4Bits);
    if (!length) return std::nullopt;
    result.prefix_length = static_cast<std::uint8_t>(*length);
  }
  return result;
}

int compare(const IpAddr& a, const IpAddr& b) {
  if (a.is_v6 != b.is_v6) return a.is_v6 ? 1 : -1;
  const auto order =
      std::tie(a.high, a.low, a.prefix_length) <=> std::tie(b.high, b.low, b.prefix_length);
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

std::string to_string(const IpAddr& value) {
  std::string out;
  if (value.is_v6) {
    append_v6(out, value);
  } else {
    append_v4(out, static_cast<std::uint32_t>(value.low));
  }
  out += '/';
  out += std::to_string(value.prefix_length);
  return out;
}

}  // namespace crossgate::cedar::ext
