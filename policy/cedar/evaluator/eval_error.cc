#include "policy/cedar/evaluator/eval_error.h"

#include "policy/cedar/compiler/program.h"
#include "policy/cedar/extensions/extension_functions.h"

namespace crossgate::cedar {

std::string EvalError::message() const {
  std::string operation = node == nullptr             ? std::string("?")
                          : node->function != nullptr ? std::string(node->function->name)
                                                      : std::string(op_name(node->op));
  switch (kind) {
    case EvalErrorKind::kEntityDoesNotExist:
      return "entity `" + to_string(subject) + "` does not exist";
    case EvalErrorKind::kAttrDoesNotExist:
      if (subject.is(ValueKind::kEntity)) {
        return "`" + to_string(subject) + "` does not have the attribute `" + std::string(detail) +
               "`";
      }
      return "record does not have the attribute `" + std::string(detail) + "`";
    case EvalErrorKind::kTagDoesNotExist:
      return "`" + to_string(subject) + "` does not have the tag " + to_string(other);
    case EvalErrorKind::kTypeError:
      return "type error in `" + operation + "`: expected " + std::string(detail) + ", got " +
             std::string(kind_name(subject.kind())) + " " + to_string(subject);
    case EvalErrorKind::kOverflow:
      if (node != nullptr && node->op == Op::kNeg) {
        return "integer overflow while negating " + to_string(subject);
      }
      return "integer overflow in `" + operation + "` with " + to_string(subject) + " and " +
             to_string(other);
    case EvalErrorKind::kExtensionError:
      return "error in extension function `" + operation + "`: " + std::string(detail) + ": " +
             to_string(subject);
    case EvalErrorKind::kWrongArity:
      return "wrong number of arguments to `" + std::string(detail) + "`: got " +
             std::to_string(count);
  }
  return "evaluation error";
}

}  // namespace crossgate::cedar
