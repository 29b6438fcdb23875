// Parser for the JSON schema format (Cedar 4.x), producing an unresolved schema fragment.
// JSON carries no positions past syntax errors, so other errors name the declaration and
// field at fault instead: "source: entity type `NS::User`, shape: ...".
#pragma once

#include <string_view>

#include "policy/cedar/common/result.h"
#include "policy/cedar/schema/schema_ast.h"

namespace crossgate::cedar {

Result<schema_ast::Fragment> parse_json_schema_fragment(std::string_view text,
                                                        std::string_view source_name);

}  // namespace crossgate::cedar
