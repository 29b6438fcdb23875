// Cedar's `ipaddr` extension type: an IPv4 or IPv6 address with a prefix length (CIDR).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crossgate::cedar::ext {

struct IpAddr {
  bool is_v6 = false;
  // 0..32 for IPv4, 0..128 for IPv6; an address written without a prefix has the full
  // length. The address keeps the host bits it was written with: 10.0.0.1/24 and
  // 10.0.0.0/24 are different values that cover the same range.
  std::uint8_t prefix_length = 32;
  // The address as a 128-bit number, most significant half first. IPv4 uses the low 32
  // bits of `low`.
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  friend bool operator==(const IpAddr&, const IpAddr&) = default;

  bool is_loopback() const;   // 127.0.0.0/8 or ::1
  bool is_multicast() const;  // 224.0.0.0/4 or ff00::/8
  // True when every address this value covers is covered by `range`; false across
  // address families.
  bool is_in_range(const IpAddr& range) const;
};

// Parses dotted-quad IPv4 and colon-hex IPv6 (with one optional "::"), each with an
// optional "/prefix", under Cedar's rules (no leading zeros in IPv4 octets or prefixes,
// no embedded IPv4 in IPv6, no zone ids).
std::optional<IpAddr> parse_ipaddr(std::string_view text);

// Total order used to keep sets canonical: IPv4 before IPv6, then address, then prefix.
int compare(const IpAddr& a, const IpAddr& b);

// "10.0.0.1/24", "::1/128".
std::string to_string(const IpAddr& value);

}  // namespace crossgate::cedar::ext
