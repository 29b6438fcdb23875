// Resolution of parsed schema fragments into the Schema model: qualifies every name
// (RFC 24 / RFC 52 lookup rules), inlines common types, and checks what needs all the
// fragments at once (duplicates, shadowing of the empty namespace, undeclared types and
// actions, cycles among common types and actions).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/schema/schema_ast.h"

namespace crossgate::cedar {

struct ResolvedSchema {
  std::map<std::string, EntityTypeDecl, std::less<>> entity_types;
  std::vector<ActionDecl> actions;  // in declaration order, across fragments
};

Result<ResolvedSchema> resolve_schema(const std::vector<schema_ast::Fragment>& fragments);

}  // namespace crossgate::cedar
