// Request validation: whether an authorization request is one the schema allows, as the
// reference checks a request built with a schema. The principal's and resource's types
// are declared (with a declared value for enumerated types), the action is declared and
// applies to those types, and the context has the action's context type (every required
// attribute present, no undeclared attribute, values of the declared types, entity
// references of declared enum values and actions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/cedar/schema/schema.h"
#include "policy/cedar/value/request.h"

namespace crossgate::cedar::validator {

// Named as the reference names its request validation errors.
enum class RequestErrorKind : std::uint8_t {
  kUndeclaredPrincipalType,
  kUndeclaredResourceType,
  kUndeclaredAction,
  kInvalidPrincipalType,  // declared, but not in the action's appliesTo
  kInvalidResourceType,
  kInvalidEnumEntity,
  kInvalidContext,
};

std::string_view kind_name(RequestErrorKind kind);

struct RequestValidationError {
  RequestErrorKind kind = RequestErrorKind::kInvalidContext;
  std::string message;
};

// The first problem found, or nullopt when the request is valid.
std::optional<RequestValidationError> validate_request(const Schema& schema,
                                                       const Request& request);

}  // namespace crossgate::cedar::validator
