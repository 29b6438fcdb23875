// Names and printing of validation findings.
#include "policy/cedar/validator/validation_error.h"

namespace crossgate::cedar::validator {

std::string_view kind_name(ValidationErrorKind kind) {
  switch (kind) {
    case ValidationErrorKind::kUnrecognizedEntityType: return "UnrecognizedEntityType";
    case ValidationErrorKind::kUnrecognizedActionId: return "UnrecognizedActionId";
    case ValidationErrorKind::kInvalidActionApplication: return "InvalidActionApplication";
    case ValidationErrorKind::kUnexpectedType: return "UnexpectedType";
    case ValidationErrorKind::kIncompatibleTypes: return "IncompatibleTypes";
    case ValidationErrorKind::kUnsafeAttributeAccess: return "UnsafeAttributeAccess";
    case ValidationErrorKind::kUnsafeOptionalAttributeAccess:
      return "UnsafeOptionalAttributeAccess";
    case ValidationErrorKind::kUnsafeTagAccess: return "UnsafeTagAccess";
    case ValidationErrorKind::kNoTagsAllowed: return "NoTagsAllowed";
    case ValidationErrorKind::kUndefinedFunction: return "UndefinedFunction";
    case ValidationErrorKind::kWrongNumberArguments: return "WrongNumberArguments";
    case ValidationErrorKind::kFunctionArgumentValidation: return "FunctionArgumentValidation";
    case ValidationErrorKind::kEmptySetForbidden: return "EmptySetForbidden";
    case ValidationErrorKind::kNonLitExtConstructor: return "NonLitExtConstructor";
    case ValidationErrorKind::kHierarchyNotRespected: return "HierarchyNotRespected";
    case ValidationErrorKind::kInvalidEnumEntity: return "InvalidEnumEntity";
    case ValidationErrorKind::kImpossiblePolicy: return "ImpossiblePolicy";
  }
  return "ValidationError";
}

std::string ValidationError::to_string() const {
  std::string text(kind_name(kind));
  text += ": ";
  text += message;
  return format_at(source, loc, text);
}

}  // namespace crossgate::cedar::validator
