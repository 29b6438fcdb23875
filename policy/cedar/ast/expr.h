// The abstract syntax of Cedar expressions, as the parser produces them.
//
// The tree owns its strings and children and keeps source positions, for error messages
// and (later) the validator. Evaluation does not walk this tree: the policy compiler
// (compiler/) lowers it into an evaluable form.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "policy/cedar/common/source_location.h"

namespace crossgate::cedar::ast {

enum class Var : std::uint8_t { kPrincipal, kAction, kResource, kContext };
enum class SlotId : std::uint8_t { kPrincipal, kResource };

std::string_view var_name(Var var);       // "principal", ...
std::string_view slot_name(SlotId slot);  // "?principal", "?resource"

struct EntityRef {
  std::string type;  // fully qualified, e.g. "Bedrock::Account"
  std::string id;
  friend bool operator==(const EntityRef&, const EntityRef&) = default;
};

// One element of a `like` pattern: a literal byte run or the wildcard `*`.
struct PatternElement {
  bool wildcard = false;
  std::string literal;  // when !wildcard
};

enum class ExprKind : std::uint8_t {
  kBool,     // bool_value
  kLong,     // long_value
  kString,   // text
  kEntity,   // entity
  kVar,      // var
  kSlot,     // slot
  kIf,       // children: condition, then, else
  kAnd,      // children: left, right
  kOr,       // children: left, right
  kUnary,    // unary_op, children: operand
  kBinary,   // binary_op, children: left, right
  kGetAttr,  // text = attribute, children: target
  kHasAttr,  // text = attribute, children: target
  kLike,     // pattern, children: target
  kIs,       // text = entity type, children: target [, in-operand]
  kSet,      // children: elements
  kRecord,   // keys parallel to children
  kCall,     // text = extension function or method name, children: arguments (the
             // receiver of a method call is the first argument)
};

enum class UnaryOp : std::uint8_t { kNot, kNeg, kIsEmpty };

enum class BinaryOp : std::uint8_t {
  kEq,
  kNotEq,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kIn,
  kAdd,
  kSub,
  kMul,
  kContains,
  kContainsAll,
  kContainsAny,
  kGetTag,
  kHasTag,
};

std::string_view binary_op_text(BinaryOp op);  // "==", "in", "contains", ...

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kBool;
  SourceLoc loc;
  // Height of this subtree (a leaf is 1); the parser refuses trees taller than its limit
  // so that every recursive walk over an accepted policy stays shallow.
  std::uint16_t height = 1;

  bool bool_value = false;
  std::int64_t long_value = 0;
  std::string text;
  EntityRef entity;
  Var var = Var::kPrincipal;
  SlotId slot = SlotId::kPrincipal;
  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kEq;
  bool is_method_call = false;  // kCall written as `receiver.name(...)`
  std::vector<PatternElement> pattern;
  std::vector<std::string> keys;  // kRecord
  std::vector<ExprPtr> children;
};

ExprPtr clone(const Expr& expr);

// Cedar text for the expression, fully parenthesised where precedence could mislead.
std::string to_string(const Expr& expr);

}  // namespace crossgate::cedar::ast
