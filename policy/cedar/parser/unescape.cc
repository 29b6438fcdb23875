#include "policy/cedar/parser/unescape.h"

#include <cstdint>

#include "policy/cedar/common/utf8.h"

namespace crossgate::cedar::parser {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls `on_char(text)` for each decoded piece and `on_star(escaped)` for each `*` (so the
// pattern form can tell `*` from `\*`). Returns false with `error` set on a bad escape.
template <class OnText, class OnStar>
bool decode(std::string_view raw, bool allow_star_escape, UnescapeError& error, OnText on_text,
            OnStar on_star) {
  auto fail = [&error](std::size_t offset, std::string message) {
    error.offset = offset;
    error.message = std::move(message);
    return false;
  };
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
      return fail(i, "a bare carriage return is not allowed in a string literal");
    }
    if (c != '\\') {
      piece.assign(1, c);
      on_text(piece);
      ++i;
      continue;
    }
    if (i + 1 >= raw.size()) {
      return fail(i, "a string literal cannot end with a lone backslash");
    }
    const std::size_t backslash = i;
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
        return fail(backslash, "invalid escape `\\*` (it is only meaningful in a `like` pattern)");
      case '\n':
        // Line continuation: skip the break and the whitespace that follows it.
        while (i < raw.size() &&
               (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r')) {
          ++i;
        }
        continue;
      case 'x': {
        if (i + 2 > raw.size() || hex_value(raw[i]) < 0 || hex_value(raw[i + 1]) < 0) {
          return fail(backslash, "`\\x` must be followed by two hexadecimal digits");
        }
        int value = hex_value(raw[i]) * 16 + hex_value(raw[i + 1]);
        if (value > 0x7f) {
          return fail(backslash, "`\\x` escapes must be at most `\\x7F`; use `\\u{...}` instead");
        }
        piece.assign(1, static_cast<char>(value));
        on_text(piece);
        i += 2;
        continue;
      }
      case 'u': {
        if (i >= raw.size() || raw[i] != '{') {
          return fail(backslash, "`\\u` must be followed by `{hex digits}`");
        }
        ++i;
        std::uint32_t value = 0;
        int digits = 0;
        bool first = true;
        while (i < raw.size() && raw[i] != '}') {
          if (raw[i] == '_') {
            if (first) {
              return fail(backslash, "a unicode escape cannot start with `_`");
            }
            ++i;
            continue;
          }
          int h = hex_value(raw[i]);
          if (h < 0) {
            return fail(backslash, "invalid character in a unicode escape");
          }
          if (++digits > 6) {
            return fail(backslash, "a unicode escape has at most six hexadecimal digits");
          }
          value = value * 16 + static_cast<std::uint32_t>(h);
          first = false;
          ++i;
        }
        if (i >= raw.size()) {
          return fail(backslash, "unterminated unicode escape");
        }
        ++i;  // '}'
        if (digits == 0) {
          return fail(backslash, "empty unicode escape");
        }
        if (value >= 0xD800 && value <= 0xDFFF) {
          return fail(backslash, "a unicode escape cannot be a surrogate");
        }
        if (value > 0x10FFFF) {
          return fail(backslash, "a unicode escape must be at most 10FFFF");
        }
        piece.clear();
        append_utf8(piece, static_cast<char32_t>(value));
        on_text(piece);
        continue;
      }
      default: return fail(backslash, std::string("invalid escape `\\") + e + "`");
    }
  }
  return true;
}

}  // namespace

SourceLoc location_in_string(SourceLoc opening_quote, std::string_view raw, std::size_t offset) {
  SourceLoc loc{opening_quote.line, opening_quote.column + 1};
  for (std::size_t i = 0; i < offset && i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

bool unescape_string(std::string_view raw, std::string& out, UnescapeError& error) {
  out.clear();
  return decode(
      raw, false, error, [&](std::string_view text) { out += text; }, [&](bool) { out += '*'; });
}

bool unescape_pattern(std::string_view raw, std::vector<ast::PatternElement>& out,
                      UnescapeError& error) {
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
