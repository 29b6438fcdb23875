// Cedar string escapes (`\n`, `\t`, `\r`, `\0`, `\\`, `\'`, `\"`, `\x7f`, `\u{1F600}`,
// and a backslash before a line break skipping the following whitespace), and the
// pattern form used by `like`, where `*` is the wildcard and `\*` a literal star.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/ast/expr.h"

namespace crossgate::cedar::parser {

// On failure returns false and sets `error`; `out` is then unspecified.
bool unescape_string(std::string_view raw, std::string& out, std::string& error);
bool unescape_pattern(std::string_view raw, std::vector<ast::PatternElement>& out,
                      std::string& error);

}  // namespace crossgate::cedar::parser
