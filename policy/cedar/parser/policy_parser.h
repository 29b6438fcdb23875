// Parses Cedar policy text (the Cedar 4.x grammar) into ast::Policy values.
//
// Policies get position-based ids, `policy0`, `policy1`, ... (a caller loading several
// files can choose the prefix and the first index). Errors name the source, line and
// column. Input that nests deeper than kMaxNesting is refused with an error rather than
// risking the stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/ast/policy.h"
#include "policy/cedar/common/result.h"

namespace crossgate::cedar::parser {

inline constexpr int kMaxNesting = 128;

struct ParseOptions {
  std::string source_name;  // for messages, e.g. "policies/base.cedar"
  std::string id_prefix = "policy";
  std::size_t first_index = 0;
};

Result<std::vector<ast::Policy>> parse_policies(std::string_view text,
                                                const ParseOptions& options = {});

// Exactly one policy (or template), e.g. for tests and tools.
Result<ast::Policy> parse_policy(std::string_view text, const ParseOptions& options = {});

// A single expression, as written in a `when` clause (no template slots).
Result<ast::ExprPtr> parse_expression(std::string_view text, std::string_view source_name = {});

// An entity reference such as `User::"alice"` (used by tools and tests).
Result<ast::EntityRef> parse_entity_ref(std::string_view text);

// Names that cannot be used as identifiers, attribute names or namespace components.
bool is_reserved_identifier(std::string_view name);

}  // namespace crossgate::cedar::parser
