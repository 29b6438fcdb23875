#include "policy/cedar/schema/cedarschema_lexer.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "policy/cedar/common/utf8.h"
#include "policy/cedar/parser/unescape.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar::cedarschema {

namespace {

constexpr std::string_view kOneCharPunct = ",;:{}[]<>=?@()";

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

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
      while (pos_ < text_.size() && is_digit(text_[pos_]))
        ++pos_;
      return Token{Token::Kind::kNumber, std::string(text_.substr(start, pos_ - start)), loc};
    }
    if (c == '"') return string_literal();
    if (text_.substr(pos_, 2) == "::") {
      pos_ += 2;
      return Token{Token::Kind::kPunct, "::", loc};
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

  // A `"`-delimited literal, unescaped exactly as policy strings are (parser/unescape.h),
  // which is what the reference does for both.
  std::optional<Token> string_literal() {
    const SourceLoc loc = here();
    const std::size_t open = pos_;
    std::size_t end = pos_ + 1;
    while (end < text_.size() && text_[end] != '"') {
      end += (text_[end] == '\\' && end + 1 < text_.size()) ? 2 : 1;
    }
    if (end >= text_.size()) {
      fail(open, "unterminated string literal");
      return std::nullopt;
    }
    std::string_view raw = text_.substr(open + 1, end - open - 1);
    if (std::size_t bad = find_invalid_utf8(raw); bad != std::string_view::npos) {
      fail(open + 1 + bad, "invalid UTF-8 in string literal");
      return std::nullopt;
    }
    std::string value;
    parser::UnescapeError error;
    if (!parser::unescape_string(raw, value, error)) {
      fail(open + 1 + error.offset, error.message);
      return std::nullopt;
    }
    advance(end + 1 - pos_);
    return Token{Token::Kind::kString, std::move(value), loc};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::optional<Token> error_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  return Lexer(text).run();
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case Token::Kind::kIdentifier:
    case Token::Kind::kPunct: return "`" + token.text + "`";
    case Token::Kind::kNumber: return "number `" + token.text + "`";
    case Token::Kind::kString: {
      // Long strings are cut, at a character boundary so the message stays UTF-8.
      std::size_t shown = std::min<std::size_t>(token.text.size(), 40);
      while (shown < token.text.size() && (token.text[shown] & 0xC0) == 0x80)
        --shown;
      std::string out = "string \"";
      append_escaped(out, std::string_view(token.text).substr(0, shown));
      out += shown < token.text.size() ? "...\"" : "\"";
      return out;
    }
    case Token::Kind::kEnd: return "end of input";
    case Token::Kind::kError: return token.text;
  }
  return "token";
}

}  // namespace crossgate::cedar::cedarschema
