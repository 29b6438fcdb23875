#include "policy/cedar/schema/schema_names.h"

#include <array>

namespace crossgate::cedar::schema_names {

namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_ident_continue(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

}  // namespace

bool is_identifier(std::string_view text) {
  if (text.empty() || !is_ident_start(text.front())) return false;
  for (char c : text.substr(1)) {
    if (!is_ident_continue(c)) return false;
  }
  return true;
}

bool is_reserved_word(std::string_view text) {
  static constexpr std::array<std::string_view, 9> kReserved = {
      "true", "false", "if", "then", "else", "in", "is", "like", "has"};
  for (std::string_view word : kReserved) {
    if (text == word) return true;
  }
  return false;
}

bool is_valid_path(std::string_view text) {
  while (true) {
    std::size_t sep = text.find("::");
    std::string_view part = text.substr(0, sep);
    if (!is_identifier(part) || is_reserved_word(part)) return false;
    if (sep == std::string_view::npos) return true;
    text.remove_prefix(sep + 2);
  }
}

bool is_reserved_common_type_name(std::string_view basename) {
  static constexpr std::array<std::string_view, 8> kKeywords = {
      "Bool", "Boolean", "Entity", "Extension", "Long", "Record", "Set", "String"};
  for (std::string_view word : kKeywords) {
    if (basename == word) return true;
  }
  return false;
}

bool mentions_cedar_namespace(std::string_view path) {
  while (true) {
    std::size_t sep = path.find("::");
    if (path.substr(0, sep) == kCedarNamespace) return true;
    if (sep == std::string_view::npos) return false;
    path.remove_prefix(sep + 2);
  }
}

std::string qualify(std::string_view ns, std::string_view basename) {
  std::string out;
  if (!ns.empty()) {
    out.reserve(ns.size() + 2 + basename.size());
    out += ns;
    out += "::";
  }
  out += basename;
  return out;
}

std::string_view basename_of(std::string_view path) {
  std::size_t sep = path.rfind("::");
  return sep == std::string_view::npos ? path : path.substr(sep + 2);
}

std::string_view namespace_of(std::string_view path) {
  std::size_t sep = path.rfind("::");
  return sep == std::string_view::npos ? std::string_view() : path.substr(0, sep);
}

std::string action_type_of(std::string_view ns) {
  return qualify(ns, "Action");
}

}  // namespace crossgate::cedar::schema_names
