// Tokens of the human-readable `.cedarschema` syntax. Keywords are returned as
// identifiers: the grammar lets most of them be used as names too, so the parser decides
// from context.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/source_location.h"

namespace crossgate::cedar::cedarschema {

struct Token {
  enum class Kind : unsigned char {
    kIdentifier,  // `[_a-zA-Z][_a-zA-Z0-9]*`, keywords included
    kString,      // a string literal; `text` is the unescaped value
    kNumber,      // `[0-9]+`: a token of the grammar that no rule accepts
    kPunct,       // one of , ; : :: { } [ ] < > = ? @ ( )
    kEnd,
    kError,  // a lexical error; `text` is the message
  };
  Kind kind = Kind::kEnd;
  std::string text;
  SourceLoc loc;

  bool is_punct(std::string_view spelling) const {
    return kind == Kind::kPunct && text == spelling;
  }
  bool is_word(std::string_view word) const { return kind == Kind::kIdentifier && text == word; }
};

// Splits `text` into tokens, skipping whitespace and `//` comments. The result always
// ends with a kEnd token; a lexical error (invalid UTF-8, a stray character, an
// unterminated string, a bad escape) ends the list with a kError token and then kEnd,
// so the parser reports it only once it has accepted everything before it.
std::vector<Token> tokenize(std::string_view text);

// How a token is named in a syntax error: "`entity`", "string \"x\"", "end of input", ...
std::string describe(const Token& token);

}  // namespace crossgate::cedar::cedarschema
