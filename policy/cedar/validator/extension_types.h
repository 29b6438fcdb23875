// Signatures of Cedar's extension functions (ipaddr, decimal, datetime) for the
// typechecker, and the literal checks the reference applies to constructor arguments.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/ast/expr.h"
#include "policy/cedar/validator/types.h"

namespace crossgate::cedar::validator {

struct ExtensionFunctionType {
  std::string_view name;
  std::vector<Type> arguments;  // the receiver of a method first
  Type result;
  // Constructors (`ip`, `decimal`, `datetime`, `duration`) parse a string; strict
  // validation wants that string to be a literal, and checks it when it is one.
  bool is_constructor = false;
};

// nullptr for a name that is not an extension function.
const ExtensionFunctionType* find_extension_function_type(std::string_view name);

// For a constructor called on a single string literal: why the literal is not a valid
// value ("Failed to parse as IP address: `\"x\"`"), or nullopt when it is (or when the
// arguments are not a single string literal: other checks report those).
std::optional<std::string> check_constructor_arguments(const ExtensionFunctionType& function,
                                                       std::span<const ast::ExprPtr> arguments);

// Extension types that `<` and `<=` apply to, besides Long: datetime and duration.
bool has_operator_overloading(const Type& type);
std::vector<Type> comparison_operand_types();  // Long first, then the extension types

}  // namespace crossgate::cedar::validator
