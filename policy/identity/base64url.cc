// Strict base64url decoding (see base64url.h).
#include "policy/identity/base64url.h"

#include <array>
#include <cstdint>

namespace crossgate::identity {
namespace {

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table)
    entry = kInvalid;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();

}  // namespace

cedar::Result<std::string> base64url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::uint8_t value = kTable[c];
    if (value == kInvalid) {
      if (c == '=') return cedar::Error{"padding ('=') is not allowed"};
      if (c == '+' || c == '/') {
        return cedar::Error{"standard base64 character at offset " + std::to_string(i) +
                            " (base64url uses '-' and '_')"};
      }
      return cedar::Error{"invalid base64url character at offset " + std::to_string(i)};
    }
    bits = (bits << 6) | value;
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  // Characters first, so that padding and strays are named rather than the length.
  if (text.size() % 4 == 1) {
    return cedar::Error{"invalid base64url length (" + std::to_string(text.size()) + ")"};
  }
  // 2 or 4 bits remain after a partial group; they must be zero (RFC 4648 section 3.5),
  // otherwise two different strings would decode to the same bytes.
  if ((bits & ((1u << bit_count) - 1)) != 0) {
    return cedar::Error{"non-canonical base64url (stray bits in the last character)"};
  }
  return out;
}

}  // namespace crossgate::identity
