// Cedar string escapes (`\n`, `\t`, `\r`, `\0`, `\\`, `\'`, `\"`, `\x7f`, `\u{1F600}`,
// and a backslash before a line break skipping the following whitespace), and the
// pattern form used by `like`, where `*` is the wildcard and `\*` a literal star.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/ast/expr.h"

namespace crossgate::cedar::parser {

struct UnescapeError {
  std::size_t offset = 0;  // into the raw text, where the bad escape starts
  std::string message;
};

// On failure returns false and sets `error`; `out` is then unspecified.
bool unescape_string(std::string_view raw, std::string& out, UnescapeError& error);
bool unescape_pattern(std::string_view raw, std::vector<ast::PatternElement>& out,
                      UnescapeError& error);

// Where `offset` into a string token's raw text lies in the source, given where the
// token's opening quote is.
SourceLoc location_in_string(SourceLoc opening_quote, std::string_view raw, std::size_t offset);

}  // namespace crossgate::cedar::parser
