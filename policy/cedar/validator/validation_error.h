// What the validator reports: one finding about one policy, with the reference
// validator's name for its kind, the policy's id, where in the policy text it was found
// and a message for people.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/cedar/common/source_location.h"

namespace crossgate::cedar::validator {

// Named as the reference validator (Cedar 4.10) names its error and warning kinds, so
// that CI output can be compared with `cedar validate`.
enum class ValidationErrorKind : std::uint8_t {
  kUnrecognizedEntityType,
  kUnrecognizedActionId,
  kInvalidActionApplication,
  kUnexpectedType,
  kIncompatibleTypes,
  kUnsafeAttributeAccess,
  kUnsafeOptionalAttributeAccess,
  kUnsafeTagAccess,
  kNoTagsAllowed,
  kUndefinedFunction,
  kWrongNumberArguments,
  kFunctionArgumentValidation,
  kEmptySetForbidden,
  kNonLitExtConstructor,
  // The reference keeps this kind for compatibility and documents that it never occurs;
  // it is listed so that names round-trip, and never produced.
  kHierarchyNotRespected,
  kInvalidEnumEntity,
  // A warning in the reference: the policy can apply to no request the schema allows.
  kImpossiblePolicy,
};

// "UnrecognizedEntityType", "UnexpectedType", ...
std::string_view kind_name(ValidationErrorKind kind);

struct ValidationError {
  ValidationErrorKind kind = ValidationErrorKind::kUnexpectedType;
  std::string policy_id;  // ast::Policy::id (position-based unless the caller chose one)
  std::string source;     // the file or label the policy was parsed from
  SourceLoc loc;          // where in the policy text; line 0 when unknown
  std::string message;    // e.g. "for policy `policy0`, unrecognized entity type `Usr`"

  // "source:line:column: Kind: message"
  std::string to_string() const;

  friend bool operator==(const ValidationError& a, const ValidationError& b) {
    return a.kind == b.kind && a.policy_id == b.policy_id && a.source == b.source &&
           a.loc.line == b.loc.line && a.loc.column == b.loc.column && a.message == b.message;
  }
};

}  // namespace crossgate::cedar::validator
