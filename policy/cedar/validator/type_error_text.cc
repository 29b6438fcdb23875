// Type error wording (type_error_text.h).
#include "policy/cedar/validator/type_error_text.h"

#include <algorithm>

#include "policy/cedar/schema/schema_names.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

std::string_view help_text(Help help) {
  switch (help) {
    case Help::kNone: return "";
    case Help::kTryUsingLike: return "try using `like` to examine the contents of a string";
    case Help::kTryUsingContains:
      return "try using `contains`, `containsAny`, or `containsAll` to examine the contents of "
             "a set";
    case Help::kTryUsingSingleContains:
      return "try using `contains` to test if a single element is in a set";
    case Help::kTryUsingHas: return "try using `has` to test for an attribute";
    case Help::kTryUsingIs: return "try using `is` to test for an entity type";
    case Help::kTryUsingIn: return "try using `in` for entity hierarchy membership";
    case Help::kTryUsingEqEmptyString: return "try using `== \"\"` to test if a string is empty";
    case Help::kTypeTestNotSupported: return "Cedar only supports run time type tests for entities";
    case Help::kConcatenationNotSupported: return "Cedar does not support string concatenation";
    case Help::kSetOperationsNotSupported:
      return "Cedar does not support computing the union, intersection, or difference of sets";
  }
  return "";
}

std::string_view context_text(LubContext context) {
  switch (context) {
    case LubContext::kSet: return "elements of a set";
    case LubContext::kConditional: return "both branches of a conditional";
    case LubContext::kEquality: return "both operands to a `==` expression";
    case LubContext::kContains:
      return "elements of the first operand and the second operand to a `contains` expression";
    case LubContext::kContainsAnyAll:
      return "elements of both set operands to a `containsAll` or `containsAny` expression";
    case LubContext::kGetTag: return "tag types for a `.getTag()` operation";
  }
  return "";
}

// `a.b["c d"]`: the reference prints the path innermost first.
std::string attribute_path(const std::vector<std::string>& outermost_first) {
  std::string out;
  for (auto it = outermost_first.rbegin(); it != outermost_first.rend(); ++it) {
    if (schema_names::is_identifier(*it)) {
      if (it != outermost_first.rbegin()) out += '.';
      out += *it;
    } else {
      out += "[" + quote(*it) + "]";
    }
  }
  return out;
}

}  // namespace

std::string unexpected_type_message(std::span<const Type> expected, const Type& actual, Help help) {
  std::string wanted;
  for (const Type& t : expected) {
    if (!wanted.empty()) wanted += ", or ";
    wanted += to_string(t);
  }
  std::string message = "unexpected type: expected " + wanted + " but saw " + to_string(actual);
  if (help != Help::kNone) message += "; " + std::string(help_text(help));
  return message;
}

std::string incompatible_types_message(const std::vector<Type>& types, LubFailure why,
                                       LubContext context) {
  // Listed once each, in the reference's order: "A and B", "A, B, and C".
  std::vector<Type> sorted = types;
  std::sort(sorted.begin(), sorted.end(),
            [](const Type& a, const Type& b) { return compare(a, b) < 0; });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string list;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) list += sorted.size() > 2 ? ", " : " ";
    if (i > 0 && i + 1 == sorted.size()) list += "and ";
    list += to_string(sorted[i]);
  }
  return "the types " + list + " are not compatible: " + std::string(context_text(context)) +
         " must have compatible types. " + std::string(to_string(why));
}

std::string attribute_access(const std::vector<std::string>& outermost_first) {
  return "`" + attribute_path(outermost_first) + "`";
}

std::string attribute_access_on_entity(const std::vector<std::string>& outermost_first,
                                       const Type& entity) {
  std::string out = attribute_access(outermost_first);
  if (const std::string* single = entity.single_entity())
    return out + " on entity type `" + *single + "`";
  out += " on entity types ";
  bool first = true;
  for (const std::string& name : entity.entity_types()) {
    if (!first) out += ", ";
    first = false;
    out += "`" + name + "`";
  }
  return out;
}

std::string attribute_access_in_context(const std::vector<std::string>& outermost_first,
                                        std::string_view action) {
  return attribute_access(outermost_first) + " in context for " + std::string(action);
}

}  // namespace crossgate::cedar::validator
