// Why an expression failed to evaluate. Errors are recorded without allocating (the hot
// path only fills in this struct); the message is formatted when someone asks for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

struct Node;

enum class EvalErrorKind : std::uint8_t {
  kEntityDoesNotExist,  // subject: the entity
  kAttrDoesNotExist,    // subject: the entity or record; detail: the attribute
  kTagDoesNotExist,     // subject: the entity; detail: the tag
  kTypeError,           // subject: the offending value; detail: what was expected
  kOverflow,            // subject/other: the operands
  kExtensionError,      // detail: what the extension function refused
  kWrongArity,          // detail: the function; count: arguments given
};

struct EvalError {
  EvalErrorKind kind = EvalErrorKind::kTypeError;
  const Node* node = nullptr;  // the operation that failed
  Value subject;
  Value other;
  std::string_view detail;  // static text or a view into the policy set
  std::uint32_t count = 0;

  // e.g. "type error: expected bool, got long" or
  // "entity `User::\"bob\"` does not have the attribute `age`"
  std::string message() const;
};

}  // namespace crossgate::cedar
