// The extension function signatures (extension_types.h).
#include "policy/cedar/validator/extension_types.h"

#include <array>

#include "policy/cedar/extensions/extension_functions.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

std::vector<ExtensionFunctionType> make_signatures() {
  const Type ipaddr = Type::extension("ipaddr");
  const Type decimal = Type::extension("decimal");
  const Type datetime = Type::extension("datetime");
  const Type duration = Type::extension("duration");
  const Type boolean = Type::boolean();
  const Type long_type = Type::long_type();
  const Type string_type = Type::string_type();
  return {
      {"ip", {string_type}, ipaddr, true},
      {"isIpv4", {ipaddr}, boolean},
      {"isIpv6", {ipaddr}, boolean},
      {"isLoopback", {ipaddr}, boolean},
      {"isMulticast", {ipaddr}, boolean},
      {"isInRange", {ipaddr, ipaddr}, boolean},
      {"decimal", {string_type}, decimal, true},
      {"lessThan", {decimal, decimal}, boolean},
      {"lessThanOrEqual", {decimal, decimal}, boolean},
      {"greaterThan", {decimal, decimal}, boolean},
      {"greaterThanOrEqual", {decimal, decimal}, boolean},
      {"datetime", {string_type}, datetime, true},
      {"duration", {string_type}, duration, true},
      {"offset", {datetime, duration}, datetime},
      {"durationSince", {datetime, datetime}, duration},
      {"toDate", {datetime}, datetime},
      {"toTime", {datetime}, duration},
      {"toMilliseconds", {duration}, long_type},
      {"toSeconds", {duration}, long_type},
      {"toMinutes", {duration}, long_type},
      {"toHours", {duration}, long_type},
      {"toDays", {duration}, long_type},
  };
}

const std::vector<ExtensionFunctionType>& signatures() {
  static const std::vector<ExtensionFunctionType> all = make_signatures();
  return all;
}

std::string_view what_failed(std::string_view constructor) {
  if (constructor == "ip") return "Failed to parse as IP address";
  if (constructor == "decimal") return "Failed to parse as a decimal value";
  if (constructor == "datetime") return "Failed to parse as a datetime value";
  return "Failed to parse as a duration value";
}

}  // namespace

const ExtensionFunctionType* find_extension_function_type(std::string_view name) {
  for (const ExtensionFunctionType& function : signatures()) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

std::optional<std::string> check_constructor_arguments(const ExtensionFunctionType& function,
                                                       std::span<const ast::ExprPtr> arguments) {
  if (!function.is_constructor || arguments.size() != 1 ||
      arguments[0]->kind != ast::ExprKind::kString) {
    return std::nullopt;
  }
  const std::string& text = arguments[0]->text;
  Arena arena;
  Value ignored;
  if (construct_extension_value(function.name, text, arena, ignored)) return std::nullopt;
  return std::string(what_failed(function.name)) + ": `" + quote(text) + "`";
}

bool has_operator_overloading(const Type& type) {
  return type.is(Type::Kind::kExtension) &&
         (type.extension_name() == "datetime" || type.extension_name() == "duration");
}

std::vector<Type> comparison_operand_types() {
  return {Type::extension("datetime"), Type::extension("duration"), Type::long_type()};
}

}  // namespace crossgate::cedar::validator
