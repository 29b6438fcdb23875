#include "policy/cedar/parser/lexer.h"

#include "policy/cedar/common/utf8.h"

namespace crossgate::cedar::parser {
namespace {

bool is_ident_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  Lexed run() {
    Lexed out;
    // The reference reads policies as Rust strings, which are valid UTF-8 by construction;
    // anything else is refused before any token, at the first bad byte.
    if (std::size_t invalid = find_invalid_utf8(text_); invalid != std::string_view::npos) {
      while (pos_ < invalid)
        advance();
      out.error = "invalid UTF-8";
      out.tokens.push_back(Token{TokenKind::kInvalid, text_.substr(pos_, 1), here()});
      return out;
    }
    while (true) {
      skip_space_and_comments();
      if (pos_ >= text_.size()) {
        out.tokens.push_back(Token{TokenKind::kEnd, {}, here()});
        return out;
      }
      Token token = next(out.error);
      out.tokens.push_back(token);
      if (token.kind == TokenKind::kInvalid) return out;
    }
  }

 private:
  SourceLoc here() const { return SourceLoc{line_, column_}; }

  void advance(std::size_t n = 1) {
    for (std::size_t i = 0; i < n && pos_ < text_.size(); ++i) {
      if (text_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
      ++pos_;
    }
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n')
          advance();
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        // Unicode whitespace (e.g. a no-break space pasted from a document) separates tokens
        // as in the reference grammar.
        CodePoint cp = decode_utf8(text_, pos_);
        if (cp.length == 0 || !is_unicode_space(cp.value)) return;
        advance(cp.length);
      } else {
        return;
      }
    }
  }

  Token make(TokenKind kind, std::size_t length, SourceLoc loc) {
    Token token{kind, text_.substr(pos_, length), loc};
    advance(length);
    return token;
  }

  Token next(std::string& error) {
    SourceLoc loc = here();
    char c = text_[pos_];
    char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (is_ident_start(c)) {
      std::size_t end = pos_ + 1;
      while (end < text_.size() && is_ident_char(text_[end]))
        ++end;
      return make(TokenKind::kIdent, end - pos_, loc);
    }
    if (is_digit(c)) {
      std::size_t end = pos_ + 1;
      while (end < text_.size() && is_digit(text_[end]))
        ++end;
      return make(TokenKind::kNumber, end - pos_, loc);
    }
    if (c == '"') return string_token(loc, error);
    if (c == '?' && is_ident_start(n)) {
      std::size_t end = pos_ + 2;
      while (end < text_.size() && is_ident_char(text_[end]))
        ++end;
      return make(TokenKind::kSlot, end - pos_, loc);
    }
    switch (c) {
      case '@': return make(TokenKind::kAt, 1, loc);
      case '.': return make(TokenKind::kDot, 1, loc);
      case ',': return make(TokenKind::kComma, 1, loc);
      case ';': return make(TokenKind::kSemicolon, 1, loc);
      case ':':
        return n == ':' ? make(TokenKind::kColonColon, 2, loc) : make(TokenKind::kColon, 1, loc);
      case '(': return make(TokenKind::kLParen, 1, loc);
      case ')': return make(TokenKind::kRParen, 1, loc);
      case '{': return make(TokenKind::kLBrace, 1, loc);
      case '}': return make(TokenKind::kRBrace, 1, loc);
      case '[': return make(TokenKind::kLBracket, 1, loc);
      case ']': return make(TokenKind::kRBracket, 1, loc);
      case '=': return n == '=' ? make(TokenKind::kEqEq, 2, loc) : make(TokenKind::kAssign, 1, loc);
      case '!': return n == '=' ? make(TokenKind::kNotEq, 2, loc) : make(TokenKind::kBang, 1, loc);
      case '<': return n == '=' ? make(TokenKind::kLessEq, 2, loc) : make(TokenKind::kLess, 1, loc);
      case '>':
        return n == '=' ? make(TokenKind::kGreaterEq, 2, loc) : make(TokenKind::kGreater, 1, loc);
      case '|':
        if (n == '|') return make(TokenKind::kOrOr, 2, loc);
        break;
      case '&':
        if (n == '&') return make(TokenKind::kAndAnd, 2, loc);
        break;
      case '+': return make(TokenKind::kPlus, 1, loc);
      case '-': return make(TokenKind::kMinus, 1, loc);
      case '*': return make(TokenKind::kStar, 1, loc);
      case '/': return make(TokenKind::kSlash, 1, loc);
      case '%': return make(TokenKind::kPercent, 1, loc);
      default: break;
    }
    if (c == '|' || c == '&') {
      error = std::string("unexpected `") + c + "`; did you mean `" + c + c + "`?";
    } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      error = "unexpected character (byte 0x" + hex(static_cast<unsigned char>(c)) + ")";
    } else {
      error = std::string("unexpected character `") + c + "`";
    }
    return Token{TokenKind::kInvalid, text_.substr(pos_, 1), loc};
  }

  Token string_token(SourceLoc loc, std::string& error) {
    std::size_t end = pos_ + 1;
    while (end < text_.size() && text_[end] != '"') {
      end += (text_[end] == '\\' && end + 1 < text_.size()) ? 2 : 1;
    }
    if (end >= text_.size()) {
      error = "string literal is not terminated";
      return Token{TokenKind::kInvalid, text_.substr(pos_, 1), loc};
    }
    Token token{TokenKind::kString, text_.substr(pos_ + 1, end - pos_ - 1), loc};
    advance(end + 1 - pos_);
    return token;
  }

  static std::string hex(unsigned char c) {
    const char* digits = "0123456789abcdef";
    return {digits[c >> 4], digits[c & 15]};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
};

}  // namespace

Lexed tokenize(std::string_view text) {
  return Scanner(text).run();
}

std::string_view token_kind_text(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kIdent: return "identifier";
    case TokenKind::kNumber: return "number";
    case TokenKind::kString: return "string literal";
    case TokenKind::kSlot: return "template slot";
    case TokenKind::kAt: return "`@`";
    case TokenKind::kDot: return "`.`";
    case TokenKind::kComma: return "`,`";
    case TokenKind::kSemicolon: return "`;`";
    case TokenKind::kColon: return "`:`";
    case TokenKind::kColonColon: return "`::`";
    case TokenKind::kLParen: return "`(`";
    case TokenKind::kRParen: return "`)`";
    case TokenKind::kLBrace: return "`{`";
    case TokenKind::kRBrace: return "`}`";
    case TokenKind::kLBracket: return "`[`";
    case TokenKind::kRBracket: return "`]`";
    case TokenKind::kEqEq: return "`==`";
    case TokenKind::kNotEq: return "`!=`";
    case TokenKind::kLess: return "`<`";
    case TokenKind::kLessEq: return "`<=`";
    case TokenKind::kGreater: return "`>`";
    case TokenKind::kGreaterEq: return "`>=`";
    case TokenKind::kOrOr: return "`||`";
    case TokenKind::kAndAnd: return "`&&`";
    case TokenKind::kPlus: return "`+`";
    case TokenKind::kMinus: return "`-`";
    case TokenKind::kStar: return "`*`";
    case TokenKind::kSlash: return "`/`";
    case TokenKind::kPercent: return "`%`";
    case TokenKind::kBang: return "`!`";
    case TokenKind::kAssign: return "`=`";
    case TokenKind::kInvalid: return "invalid token";
  }
  return "token";
}

}  // namespace crossgate::cedar::parser
