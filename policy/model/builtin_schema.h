// crossgate's built-in Cedar model (design section 6): the entity types policies are
// written against, the IAM actions of Bedrock (with the action groups
// "model-invocation" and "agent-invocation"), and the context of a boundary-crossing
// request. A bundle's own schema.cedarschema extends it; it may declare
// `type Extra = {...}` to type the request's extra context attributes (`context.extra`),
// which otherwise must be empty.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"
#include "policy/cedar/schema/schema.h"

namespace crossgate::model {

// The built-in schema in .cedarschema syntax.
const std::string& builtin_schema_text();

// The built-in schema extended by a bundle's (optional) schema text.
cedar::Result<cedar::Schema> build_schema(std::optional<std::string_view> bundle_schema,
                                          std::string_view bundle_schema_source);

// Entity type names of the model.
inline constexpr std::string_view kWorkload = "Workload";
inline constexpr std::string_view kAccount = "Account";
inline constexpr std::string_view kOwner = "Owner";
inline constexpr std::string_view kApplication = "Application";
inline constexpr std::string_view kEnvironment = "Environment";
inline constexpr std::string_view kBusinessFunction = "BusinessFunction";
inline constexpr std::string_view kOrgUnit = "OrgUnit";
inline constexpr std::string_view kBedrockResource = "BedrockResource";
inline constexpr std::string_view kAction = "Action";

}  // namespace crossgate::model
