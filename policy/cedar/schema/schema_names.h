// Rules for the names that appear in schemas (identifiers, namespaced paths, reserved
// words), shared by both schema parsers and the resolver so the two formats accept the
// same names.
#pragma once

#include <string>
#include <string_view>

namespace crossgate::cedar::schema_names {

// The namespace holding the built-in types, which users may refer to but not declare in.
inline constexpr std::string_view kCedarNamespace = "__cedar";

// `[_a-zA-Z][_a-zA-Z0-9]*`.
bool is_identifier(std::string_view text);

// Words of the policy language that cannot be identifiers: `true`, `false`, `if`,
// `then`, `else`, `in`, `is`, `like`, `has`.
bool is_reserved_word(std::string_view text);

// Identifiers separated by `::`, none of them a reserved word (`__cedar` is allowed: it is
// how built-in types are named explicitly).
bool is_valid_path(std::string_view text);

// Names that common types cannot take because the JSON format uses them as type keywords.
bool is_reserved_common_type_name(std::string_view basename);

// True when any `::`-separated part of `path` is `__cedar`.
bool mentions_cedar_namespace(std::string_view path);

// `ns::basename`, or `basename` in the empty namespace.
std::string qualify(std::string_view ns, std::string_view basename);

// True for names written without a namespace.
inline bool is_unqualified(std::string_view path) {
  return path.find("::") == std::string_view::npos;
}

// The part after the last `::` (the whole name when unqualified).
std::string_view basename_of(std::string_view path);

// The part before the last `::` (empty when unqualified).
std::string_view namespace_of(std::string_view path);

// The action entity type of a namespace: `NS::Action`, or `Action` for the empty one.
std::string action_type_of(std::string_view ns);

}  // namespace crossgate::cedar::schema_names
