// Splits Cedar policy text into tokens, tracking line and column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/source_location.h"

namespace crossgate::cedar::parser {

enum class TokenKind : std::uint8_t {
  kEnd,
  kIdent,   // identifiers and keywords alike; the parser decides by position
  kNumber,  // decimal digits, not yet range-checked
  kString,  // the raw text between the quotes, escapes not yet processed
  kSlot,    // `?name`; text holds the name with its '?'
  kAt,
  kDot,
  kComma,
  kSemicolon,
  kColon,
  kColonColon,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kEqEq,
  kNotEq,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kOrOr,
  kAndAnd,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kBang,
  kAssign,  // a single '=', only to say that Cedar spells equality '=='
  kInvalid,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // a view into the source
  SourceLoc loc;
};

// Tokenises the whole input. On a character that starts no token, or a string without
// its closing quote, the last token is kInvalid with `error` describing the problem.
struct Lexed {
  std::vector<Token> tokens;  // always ends with kEnd or kInvalid
  std::string error;
};

Lexed tokenize(std::string_view text);

std::string_view token_kind_text(TokenKind kind);  // "identifier", "`==`", ...

}  // namespace crossgate::cedar::parser
