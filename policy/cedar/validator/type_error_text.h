// The wording of type errors, as the reference validator words them (so that messages
// can be compared with `cedar validate`): unexpected types with their hints, incompatible
// types with where a common type was needed, and attribute access paths.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/validator/types.h"

namespace crossgate::cedar::validator {

// Hints attached to an unexpected type.
enum class Help : std::uint8_t {
  kNone,
  kTryUsingLike,
  kTryUsingContains,
  kTryUsingSingleContains,
  kTryUsingHas,
  kTryUsingIs,
  kTryUsingIn,
  kTryUsingEqEmptyString,
  kTypeTestNotSupported,
  kConcatenationNotSupported,
  kSetOperationsNotSupported,
};

// Where a common type (least upper bound) was needed.
enum class LubContext : std::uint8_t {
  kSet,
  kConditional,
  kEquality,
  kContains,
  kContainsAnyAll,
  kGetTag,
};

// "unexpected type: expected Long but saw String; try using `like` ..."
std::string unexpected_type_message(std::span<const Type> expected, const Type& actual, Help help);

// "the types Long and String are not compatible: both operands to a `==` expression must
// have compatible types. Types must be exactly equal to be compatible"
std::string incompatible_types_message(const std::vector<Type>& types, LubFailure why,
                                       LubContext context);

// An attribute access, given the attributes from the failing one outwards-in (the failing
// attribute first): "`address.zip`", optionally followed by where it was looked up.
std::string attribute_access(const std::vector<std::string>& outermost_first);
std::string attribute_access_on_entity(const std::vector<std::string>& outermost_first,
                                       const Type& entity);
std::string attribute_access_in_context(const std::vector<std::string>& outermost_first,
                                        std::string_view action);

}  // namespace crossgate::cedar::validator
