// The checks of a policy against the schema that need no typing, run once per policy
// (not per request environment):
//
//  - every entity type it names (in entity literals and `is`) is declared
//    (UnrecognizedEntityType);
//  - every literal of an enumerated entity type uses one of its values (InvalidEnumEntity);
//  - every action it names is declared (UnrecognizedActionId);
//  - some action its action scope allows applies to some principal type and some resource
//    type its principal and resource scopes allow (InvalidActionApplication).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "policy/cedar/ast/policy.h"
#include "policy/cedar/validator/validation_error.h"
#include "policy/cedar/validator/validator_schema.h"

namespace crossgate::cedar::validator {

// The first three checks above, in that order.
std::vector<ValidationError> check_references(const ValidatorSchema& schema,
                                              const ast::Policy& policy);

// The action application check for `policy` with these principal and resource scopes
// (the policy's own, or a link's with its slots filled in). `id` names the error.
std::optional<ValidationError> check_action_application(const ValidatorSchema& schema,
                                                        const ast::Policy& policy,
                                                        const ast::ScopeConstraint& principal,
                                                        const ast::ScopeConstraint& resource,
                                                        std::string_view id);

// For a template link: the entity types bound to its slots are declared.
std::vector<ValidationError> check_link_entities(const ValidatorSchema& schema,
                                                 const ast::Policy& source,
                                                 const ast::ScopeConstraint& principal,
                                                 const ast::ScopeConstraint& resource,
                                                 std::string_view id);

}  // namespace crossgate::cedar::validator
