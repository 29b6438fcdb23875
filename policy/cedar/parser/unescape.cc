#include "policy/cedar/parser/unescape.h"

#include <cstdint>

namespace crossgate::cedar::parser {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Calls `on_char(text)` for each decoded piece and `on_star(escaped)` for each `*` (so the
// pattern form can tell `*` from `\*`). Returns false with `error` set on a bad escape.
template <class OnText, class OnStar>
bool decode(std::string_view raw, bool allow_star_escape, std::string& error, OnText on_text,
            OnStar on_star) {
  std::string piece;
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == '*') {
      on_star(false);
      ++i;
      continue;
    }
    if (c == '\r') {
      error = "a bare carriage return is not allowed in a string literal";
      return false;
    }
    if (c != '\\') {
      piece.assign(1, c);
      on_text(piece);
      ++i;
      continue;
    }
    if (i + 1 >= raw.size()) {
      error = "a string literal cannot end with a lone backslash";
      return false;
    }
    char e = raw[i + 1];
    i += 2;
    switch (e) {
      case 'n': on_text("\n"); continue;
      case 'r': on_text("\r"); continue;
      case 't': on_text("\t"); continue;
      case '\\': on_text("\\"); continue;
      case '0': on_text(std::string_view("\0", 1)); continue;
      case '\'': on_text("'"); continue;
      case '"': on_text("\""); continue;
      case '*':
        if (allow_star_escape) {
          on_star(true);
          continue;
        }
        error = "invalid escape `\\*` (it is only meaningful in a `like` pattern)";
        return false;
      case '\n':
        // Line continuation: skip the break and the whitespace that follows it.
        while (i < raw.size() &&
               (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r')) {
          ++i;
        }
        continue;
      case 'x': {
        if (i + 2 > raw.size() || hex_value(raw[i]) < 0 || hex_value(raw[i + 1]) < 0) {
          error = "`\\x` must be followed by two hexadecimal digits";
          return false;
        }
        int value = hex_value(raw[i]) * 16 + hex_value(raw[i + 1]);
        if (value > 0x7f) {
          error = "`\\x` escapes must be at most \\x7f";
          return false;
        }
        piece.assign(1, static_cast<char>(value));
        on_text(piece);
        i += 2;
        continue;
      }
      case 'u': {
        if (i >= raw.size() || raw[i] != '{') {
          error = "`\\u` must be followed by `{hex digits}`";
          return false;
        }
        ++i;
        std::uint32_t value = 0;
        int digits = 0;
        bool first = true;
        while (i < raw.size() && raw[i] != '}') {
          if (raw[i] == '_') {
            if (first) {
              error = "a unicode escape cannot start with `_`";
              return false;
            }
            ++i;
            continue;
          }
          int h = hex_value(raw[i]);
          if (h < 0) {
            error = "invalid character in a unicode escape";
            return false;
          }
          if (++digits > 6) {
            error = "a unicode escape has at most six hexadecimal digits";
            return false;
          }
          value = value * 16 + static_cast<std::uint32_t>(h);
          first = false;
          ++i;
        }
        if (i >= raw.size()) {
          error = "unterminated unicode escape";
          return false;
        }
        ++i;  // '}'
        if (digits == 0) {
          error = "empty unicode escape";
          return false;
        }
        if (value >= 0xD800 && value <= 0xDFFF) {
          error = "a unicode escape cannot be a surrogate";
          return false;
        }
        if (value > 0x10FFFF) {
          error = "a unicode escape must be at most 10FFFF";
          return false;
        }
        piece.clear();
        append_utf8(piece, value);
        on_text(piece);
        continue;
      }
      default:
        error = std::string("invalid escape `\\") + e + "`";
        return false;
    }
  }
  return true;
}

}  // namespace

bool unescape_string(std::string_view raw, std::string& out, std::string& error) {
  out.clear();
  return decode(
      raw, false, error, [&](std::string_view text) { out += text; },
      [&](bool) { out += '*'; });
}

bool unescape_pattern(std::string_view raw, std::vector<ast::PatternElement>& out,
                      std::string& error) {
  out.clear();
  auto add_literal = [&](std::string_view text) {
    if (out.empty() || out.back().wildcard) out.push_back(ast::PatternElement{false, {}});
    out.back().literal += text;
  };
  return decode(raw, true, error, add_literal, [&](bool escaped) {
    if (escaped) {
      add_literal("*");
    } else if (out.empty() || !out.back().wildcard) {
      // Consecutive stars match the same strings as one.
      out.push_back(ast::PatternElement{true, {}});
    }
  });
}

}  // namespace crossgate::cedar::parser
