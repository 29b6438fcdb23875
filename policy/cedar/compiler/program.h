// The evaluable form of a Cedar expression: a tree of Nodes lowered from the AST, with
// literals already turned into Values and constant subtrees folded, allocated in the
// arena of the policy set that owns it. The evaluator (evaluator/) walks it; nothing here
// is re-parsed or re-allocated per request.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "policy/cedar/common/source_location.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

struct ExtensionFunction;

enum class Op : std::uint8_t {
  kConst,
  kPrincipal,
  kAction,
  kResource,
  kContext,
  kIf,   // args: condition, then, else
  kAnd,  // args: left, right (short-circuit)
  kOr,   // args: left, right (short-circuit)
  kNot,
  kNeg,
  kIsEmpty,
  kEq,
  kNotEq,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kAdd,
  kSub,
  kMul,
  kIn,
  kContains,
  kContainsAll,
  kContainsAny,
  kGetTag,
  kHasTag,
  kGetAttr,  // name
  kHasAttr,  // name
  kLike,     // pattern
  kIs,       // name = entity type; args: target [, in-operand]
  kSet,
  kRecord,  // keys parallel to args
  kCall,    // function
};

// One piece of a `like` pattern.
struct PatternPiece {
  bool wildcard;
  std::string_view literal;
};

struct Node {
  Op op = Op::kConst;
  SourceLoc loc;
  Value constant;         // kConst
  std::string_view name;  // kGetAttr, kHasAttr, kIs
  std::span<const Node* const> args;
  std::span<const std::string_view> keys;       // kRecord
  std::span<const PatternPiece> pattern;        // kLike
  const ExtensionFunction* function = nullptr;  // kCall
};

std::string_view op_name(Op op);  // "==", "getAttr", "ip", ...

}  // namespace crossgate::cedar
