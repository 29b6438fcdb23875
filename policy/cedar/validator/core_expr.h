// The single boolean expression the typechecker reads for a policy, in the forms the
// reference validator types.
//
// A policy applies when `scope && conditions` holds, so the scope constraints become
// expressions too (`principal == E`, `action in [A, B]`, `resource is T`, ...) and the
// whole is `principal-part && (action-part && (resource-part && conditions))`, the
// conditions folded the same way with `unless { e }` as `!e`. Typing the scope is what
// lets an environment whose principal type cannot satisfy `principal == User::"a"` be
// recognised as irrelevant, so that the conditions are not checked there.
//
// Operators that are sugar in the reference are expanded as it expands them, so that
// singleton booleans and capabilities flow through them identically: `a != b` is
// `!(a == b)`, `a > b` is `!(a <= b)`, `a >= b` is `!(a < b)`, and `e is T in x` is
// `e is T && e in x`. Every node keeps the source position of what it came from.
#pragma once

#include "policy/cedar/ast/expr.h"
#include "policy/cedar/ast/policy.h"

namespace crossgate::cedar::validator {

ast::ExprPtr policy_condition(const ast::Policy& policy);

// One expression with the sugar above expanded.
ast::ExprPtr desugar(const ast::Expr& expr);

}  // namespace crossgate::cedar::validator
