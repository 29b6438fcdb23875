#include "policy/decision/decision_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <random>

namespace crossgate::decision {

std::string new_decision_id(UnixMillis now) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::array<std::uint8_t, 16> bytes{};
  auto time = static_cast<std::uint64_t>(now);
  for (int i = 5; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(time & 0xff);
    time >>= 8;
  }
  if (RAND_bytes(bytes.data() + 6, 10) != 1) {
    // The CSPRNG failing is not a reason to stop deciding: uniqueness, not secrecy, is what
    // the id needs, and a seeded generator still provides it.
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (std::size_t i = 6; i < 16; ++i)
      bytes[i] = static_cast<std::uint8_t>(fallback());
  }
  // 128 bits as 26 base32 digits, most significant first: read as a 130-bit number with
  // two leading zero bits, five bits per digit.
  std::string out(26, '0');
  for (int digit = 0; digit < 26; ++digit) {
    unsigned value = 0;
    for (int bit = 0; bit < 5; ++bit) {
      int position = digit * 5 + bit - 2;  // bit index into the 128 bits, from the top
      unsigned b = 0;
      if (position >= 0) {
        b = (bytes[static_cast<std::size_t>(position / 8)] >> (7 - position % 8)) & 1u;
      }
      value = (value << 1) | b;
    }
    out[static_cast<std::size_t>(digit)] = kAlphabet[value];
  }
  return out;
}

}  // namespace crossgate::decision
