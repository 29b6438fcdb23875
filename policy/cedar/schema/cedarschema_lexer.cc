#include "policy/cedar/schema/cedarschema_lexer.h"

#include <cstdint>
#include <optional>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::cedarschema {

namespace {

constexpr std::string_view kTwoCharPunct[] = {"::"};
constexpr std::string_view kOneCharPunct = ",;:{}[]<>=?@()";

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 0;  // 0 when the bytes are not valid UTF-8
};

// Decodes one UTF-8 sequence, rejecting overlong forms, surrogates and values past
// U+10FFFF, as a Rust `&str` (which the reference parses) would never contain them.
CodePoint decode_utf8(std::string_view text, std::size_t pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1};
  std::size_t length;
  char32_t value;
  char32_t min_value;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, min_value = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, min_value = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, min_value = 0x10000;
  } else {
    return {};
  }
  if (pos + length > text.size()) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {};
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

// Unicode White_Space, which the reference grammar's `\s` skips.
bool is_unicode_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      if (!skip_space_and_comments()) {
        tokens.push_back(error_.value());
        break;
      }
      if (pos_ >= text_.size()) break;
      std::optional<Token> token = next();
      if (!token) {
        tokens.push_back(error_.value());
        break;
      }
      tokens.push_back(std::move(*token));
    }
    tokens.push_back(Token{Token::Kind::kEnd, "", here()});
    return tokens;
  }

 private:
  SourceLoc loc_of(std::size_t pos) const {
    return {line_, static_cast<std::uint32_t>(pos - line_start_ + 1)};
  }
  SourceLoc here() const { return loc_of(pos_); }

  void fail(std::size_t pos, std::string message) {
    error_ = Token{Token::Kind::kError, std::move(message), loc_of(pos)};
  }

  // Moves past one character (which must be valid UTF-8 there), counting lines.
  void advance(std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
      if (text_[pos_ + i] == '\n') {
        ++line_;
        line_start_ = pos_ + i + 1;
      }
    }
    pos_ += length;
  }

  bool skip_space_and_comments() {
    while (pos_ < text_.size()) {
      if (text_.substr(pos_, 2) == "//") {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          CodePoint c = decode_utf8(text_, pos_);
          if (c.length == 0) {
            fail(pos_, "invalid UTF-8 in comment");
            return false;
          }
          pos_ += c.length;
        }
        continue;
      }
      CodePoint c = decode_utf8(text_, pos_);
      if (c.length == 0) {
        fail(pos_, "invalid UTF-8");
        return false;
      }
      if (!is_unicode_space(c.value)) return true;
      advance(c.length);
    }
    return true;
  }

  std::optional<Token> next() {
    const std::size_t start = pos_;
    const SourceLoc loc = here();
    const char c = text_[pos_];
    if (is_ident_start(c)) {
      while (pos_ < text_.size() && (is_ident_start(text_[pos_]) || is_digit(text_[pos_]))) {
        ++pos_;
      }
      return Token{Token::Kind::kIdentifier, std::string(text_.substr(start, pos_ - start)), loc};
    }
    if (is_digit(c)) {
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      return Token{Token::Kind::kNumber, std::string(text_.substr(start, pos_ - start)), loc};
    }
    if (c == '"') return string_literal();
    for (std::string_view punct : kTwoCharPunct) {
      if (text_.substr(pos_, punct.size()) == punct) {
        pos_ += punct.size();
        return Token{Token::Kind::kPunct, std::string(punct), loc};
      }
    }
    if (kOneCharPunct.find(c) != std::string_view::npos) {
      ++pos_;
      return Token{Token::Kind::kPunct, std::string(1, c), loc};
    }
    CodePoint cp = decode_utf8(text_, pos_);
    if (cp.length == 0) {
      fail(pos_, "invalid UTF-8");
    } else {
      fail(pos_, "unexpected character `" + std::string(text_.substr(pos_, cp.length)) + "`");
    }
    return std::nullopt;
  }

  // A `"`-delimited literal, unescaped as the reference does (Rust string escapes:
  // \n \r \t \\ \0 \' \" \xHH up to \x7F, \u{H...}).
  std::optional<Token> string_literal() {
    const SourceLoc loc = here();
    const std::size_t open = pos_;
    ++pos_;
    std::string value;
    while (true) {
      if (pos_ >= text_.size()) {
        fail(open, "unterminated string literal");
        return std::nullopt;
      }
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return Token{Token::Kind::kString, std::move(value), loc};
      }
      if (c == '\\') {
        if (!escape(value)) return std::nullopt;
        continue;
      }
      if (c == '\r') {
        fail(pos_, "bare carriage return in string literal");
        return std::nullopt;
      }
      CodePoint cp = decode_utf8(text_, pos_);
      if (cp.length == 0) {
        fail(pos_, "invalid UTF-8 in string literal");
        return std::nullopt;
      }
      value.append(text_.substr(pos_, cp.length));
      advance(cp.length);
    }
  }

  bool escape(std::string& value) {
    const std::size_t backslash = pos_;
    ++pos_;
    if (pos_ >= text_.size()) {
      fail(backslash, "unterminated string literal");
      return false;
    }
    const char c = text_[pos_++];
    switch (c) {
      case 'n': value += '\n'; return true;
      case 'r': value += '\r'; return true;
      case 't': value += '\t'; return true;
      case '\\': value += '\\'; return true;
      case '0': value += '\0'; return true;
      case '\'': value += '\''; return true;
      case '"': value += '"'; return true;
      case 'x': {
        int high = pos_ < text_.size() ? hex_value(text_[pos_]) : -1;
        int low = pos_ + 1 < text_.size() ? hex_value(text_[pos_ + 1]) : -1;
        if (high < 0 || low < 0) {
          fail(backslash, "`\\x` must be followed by two hexadecimal digits");
          return false;
        }
        if (high > 7) {
          fail(backslash, "`\\x` escapes must be at most `\\x7F`; use `\\u{...}` instead");
          return false;
        }
        value += static_cast<char>(high * 16 + low);
        pos_ += 2;
        return true;
      }
      case 'u': return unicode_escape(backslash, value);
      default:
        fail(backslash, "invalid escape sequence in string literal");
        return false;
    }
  }

  bool unicode_escape(std::size_t backslash, std::string& value) {
    if (pos_ >= text_.size() || text_[pos_] != '{') {
      fail(backslash, "`\\u` must be followed by `{`, hexadecimal digits and `}`");
      return false;
    }
    ++pos_;
    char32_t code = 0;
    int digits = 0;
    while (true) {
      if (pos_ >= text_.size()) {
        fail(backslash, "unterminated `\\u{...}` escape");
        return false;
      }
      const char c = text_[pos_++];
      if (c == '}') break;
      if (c == '_' && digits > 0) continue;
      const int digit = hex_value(c);
      if (digit < 0) {
        fail(backslash, "invalid character in `\\u{...}` escape");
        return false;
      }
      if (++digits > 6) {
        fail(backslash, "`\\u{...}` escapes have at most six hexadecimal digits");
        return false;
      }
      code = code * 16 + static_cast<char32_t>(digit);
    }
    if (digits == 0) {
      fail(backslash, "empty `\\u{}` escape");
      return false;
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      fail(backslash, "`\\u{...}` escape is not a Unicode scalar value");
      return false;
    }
    append_utf8(value, code);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::optional<Token> error_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) { return Lexer(text).run(); }

std::string describe(const Token& token) {
  switch (token.kind) {
    case Token::Kind::kIdentifier:
    case Token::Kind::kPunct:
      return "`" + token.text + "`";
    case Token::Kind::kNumber:
      return "number `" + token.text + "`";
    case Token::Kind::kString: {
      constexpr std::size_t kShown = 40;
      std::string out = "string \"";
      append_escaped(out, std::string_view(token.text).substr(0, kShown));
      out += token.text.size() > kShown ? "...\"" : "\"";
      return out;
    }
    case Token::Kind::kEnd:
      return "end of input";
    case Token::Kind::kError:
      return token.text;
  }
  return "token";
}

}  // namespace crossgate::cedar::cedarschema
