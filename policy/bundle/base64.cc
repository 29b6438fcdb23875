// Strict standard base64 (see base64.h).
#include "policy/bundle/base64.h"

#include <array>
#include <cstdint>

namespace crossgate::bundle {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> make_decode_table() {
  std::array<int, 256> table{};
  for (int& entry : table)
    entry = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  }
  return table;
}
constexpr std::array<int, 256> kDecode = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                          static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]))
                              << 8 |
                          static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += kAlphabet[group >> 6 & 63];
    out += kAlphabet[group & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2)
      group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += rest == 2 ? kAlphabet[group >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

cedar::Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return cedar::Error{"invalid base64: length " + std::to_string(text.size()) +
                        " is not a multiple of 4"};
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      int value = kDecode[static_cast<unsigned char>(c)];
      if (c == '=' && last && j >= 4 - padding) value = 0;
      if (value < 0) {
        return cedar::Error{"invalid base64: unexpected character at offset " +
                            std::to_string(i + j)};
      }
      group = group << 6 | static_cast<std::uint32_t>(value);
    }
    std::size_t bytes = last ? 3 - padding : 3;
    // Bits below the last encoded byte must be zero, or two texts would decode alike.
    if (last && padding > 0 && (group & ((1u << (8 * padding)) - 1)) != 0) {
      return cedar::Error{"invalid base64: non-zero padding bits"};
    }
    out += static_cast<char>(group >> 16 & 0xff);
    if (bytes > 1) out += static_cast<char>(group >> 8 & 0xff);
    if (bytes > 2) out += static_cast<char>(group & 0xff);
  }
  return out;
}

}  // namespace crossgate::bundle
