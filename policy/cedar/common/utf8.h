// UTF-8 helpers shared by the policy and schema lexers: both take text as the reference
// does (a Rust string, so always valid UTF-8, with Unicode whitespace between tokens).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crossgate::cedar {

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 0;  // bytes; 0 when the bytes at the position are not valid UTF-8
};

// Decodes the sequence at `pos`, refusing overlong forms, surrogates and values past
// U+10FFFF.
CodePoint decode_utf8(std::string_view text, std::size_t pos);

// The offset of the first invalid sequence, or npos when `text` is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view text);

// Unicode White_Space (what the reference grammars skip between tokens).
bool is_unicode_space(char32_t c);

void append_utf8(std::string& out, char32_t c);

}  // namespace crossgate::cedar
