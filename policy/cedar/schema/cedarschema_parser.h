// Parser for the human-readable `.cedarschema` syntax (Cedar 4.x grammar), producing an
// unresolved schema fragment. Syntax errors read "source:line:column: message".
#pragma once

#include <string_view>

#include "policy/cedar/common/result.h"
#include "policy/cedar/schema/schema_ast.h"

namespace crossgate::cedar {

Result<schema_ast::Fragment> parse_cedarschema_fragment(std::string_view text,
                                                        std::string_view source_name);

}  // namespace crossgate::cedar
