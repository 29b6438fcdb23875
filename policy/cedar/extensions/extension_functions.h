// The extension functions and methods (ip, decimal, datetime, duration and their
// methods) over Values, looked up by name when policies are compiled.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "policy/cedar/evaluator/eval_error.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

struct ExtensionFunction {
  std::string_view name;
  std::uint8_t arity;  // including the receiver of a method
  bool is_method;
  // Pure: the result depends on the arguments only. On failure fills `error` (kind and
  // detail; the caller sets the node) and returns false.
  bool (*call)(std::span<const Value> args, Arena& arena, Value& out, EvalError& error);
};

// nullptr for names that are not extension functions or methods.
const ExtensionFunction* find_extension_function(std::string_view name);

// Builds a value of an extension type from its constructor's string argument, as in
// `ip("10.0.0.1")`; used by the entities JSON and schema-based parsing. `constructor` is
// "ip", "decimal", "datetime" or "duration".
bool construct_extension_value(std::string_view constructor, std::string_view argument,
                               Arena& arena, Value& out);

}  // namespace crossgate::cedar
