// Builds the typechecker's view of a policy (core_expr.h).
#include "policy/cedar/validator/core_expr.h"

#include <utility>

namespace crossgate::cedar::validator {

namespace {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

ExprPtr node(ExprKind kind, SourceLoc loc) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->loc = loc;
  return e;
}

ExprPtr boolean(bool value, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kBool, loc);
  e->bool_value = value;
  return e;
}

ExprPtr variable(ast::Var var, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kVar, loc);
  e->var = var;
  return e;
}

ExprPtr entity(const ast::EntityRef& ref, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kEntity, loc);
  e->entity = ref;
  return e;
}

ExprPtr entity_or_slot(const ast::EntityOrSlot& target, SourceLoc loc) {
  if (!target.is_slot) return entity(target.entity, loc);
  ExprPtr e = node(ExprKind::kSlot, loc);
  e->slot = target.slot;
  return e;
}

ExprPtr binary(ast::BinaryOp op, ExprPtr left, ExprPtr right, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kBinary, loc);
  e->binary_op = op;
  e->children.push_back(std::move(left));
  e->children.push_back(std::move(right));
  return e;
}

ExprPtr both(ExprPtr left, ExprPtr right, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kAnd, loc);
  e->children.push_back(std::move(left));
  e->children.push_back(std::move(right));
  return e;
}

ExprPtr negation(ExprPtr operand, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kUnary, loc);
  e->unary_op = ast::UnaryOp::kNot;
  e->children.push_back(std::move(operand));
  return e;
}

ExprPtr is_type(ExprPtr target, const std::string& type, SourceLoc loc) {
  ExprPtr e = node(ExprKind::kIs, loc);
  e->text = type;
  e->children.push_back(std::move(target));
  return e;
}

ExprPtr scope_expr(ast::Var var, const ast::ScopeConstraint& scope) {
  SourceLoc loc = scope.loc;
  switch (scope.kind) {
    case ast::ScopeConstraint::Kind::kAny: return boolean(true, loc);
    case ast::ScopeConstraint::Kind::kEq:
      return binary(ast::BinaryOp::kEq, variable(var, loc), entity_or_slot(scope.target, loc), loc);
    case ast::ScopeConstraint::Kind::kIn:
      return binary(ast::BinaryOp::kIn, variable(var, loc), entity_or_slot(scope.target, loc), loc);
    case ast::ScopeConstraint::Kind::kIs:
      return is_type(variable(var, loc), scope.entity_type, loc);
    case ast::ScopeConstraint::Kind::kIsIn:
      return both(
          is_type(variable(var, loc), scope.entity_type, loc),
          binary(ast::BinaryOp::kIn, variable(var, loc), entity_or_slot(scope.target, loc), loc),
          loc);
  }
  return boolean(true, loc);
}

ExprPtr action_expr(const ast::ActionConstraint& action) {
  SourceLoc loc = action.loc;
  switch (action.kind) {
    case ast::ActionConstraint::Kind::kAny: return boolean(true, loc);
    case ast::ActionConstraint::Kind::kEq:
      return binary(ast::BinaryOp::kEq, variable(ast::Var::kAction, loc),
                    entity(action.entities.front(), loc), loc);
    case ast::ActionConstraint::Kind::kIn: {
      // Always a set, even for `action in A`, as the reference represents it.
      ExprPtr set = node(ExprKind::kSet, loc);
      for (const ast::EntityRef& ref : action.entities)
        set->children.push_back(entity(ref, loc));
      return binary(ast::BinaryOp::kIn, variable(ast::Var::kAction, loc), std::move(set), loc);
    }
  }
  return boolean(true, loc);
}

ExprPtr conditions_expr(const ast::Policy& policy) {
  if (policy.conditions.empty()) return boolean(true, policy.loc);
  // A right fold, c1 && (c2 && c3), as the reference builds it.
  ExprPtr result;
  for (auto it = policy.conditions.rbegin(); it != policy.conditions.rend(); ++it) {
    ExprPtr body = desugar(*it->body);
    if (!it->is_when) body = negation(std::move(body), it->loc);
    result = result ? both(std::move(body), std::move(result), policy.loc) : std::move(body);
  }
  return result;
}

}  // namespace

ExprPtr desugar(const Expr& expr) {
  auto children = [&expr]() {
    std::vector<ExprPtr> out;
    out.reserve(expr.children.size());
    for (const ExprPtr& child : expr.children)
      out.push_back(desugar(*child));
    return out;
  };
  if (expr.kind == ExprKind::kBinary) {
    ast::BinaryOp replacement;
    switch (expr.binary_op) {
      case ast::BinaryOp::kNotEq: replacement = ast::BinaryOp::kEq; break;
      case ast::BinaryOp::kGreater: replacement = ast::BinaryOp::kLessEq; break;
      case ast::BinaryOp::kGreaterEq: replacement = ast::BinaryOp::kLess; break;
      default: replacement = expr.binary_op; break;
    }
    if (replacement != expr.binary_op) {
      std::vector<ExprPtr> operands = children();
      return negation(binary(replacement, std::move(operands[0]), std::move(operands[1]), expr.loc),
                      expr.loc);
    }
  }
  if (expr.kind == ExprKind::kIs && expr.children.size() == 2) {
    return both(is_type(desugar(*expr.children[0]), expr.text, expr.loc),
                binary(ast::BinaryOp::kIn, desugar(*expr.children[0]), desugar(*expr.children[1]),
                       expr.loc),
                expr.loc);
  }
  ExprPtr copy = node(expr.kind, expr.loc);
  copy->bool_value = expr.bool_value;
  copy->long_value = expr.long_value;
  copy->text = expr.text;
  copy->entity = expr.entity;
  copy->var = expr.var;
  copy->slot = expr.slot;
  copy->unary_op = expr.unary_op;
  copy->binary_op = expr.binary_op;
  copy->is_method_call = expr.is_method_call;
  copy->pattern = expr.pattern;
  copy->keys = expr.keys;
  copy->children = children();
  return copy;
}

ExprPtr policy_condition(const ast::Policy& policy) {
  return both(scope_expr(ast::Var::kPrincipal, policy.principal),
              both(action_expr(policy.action),
                   both(scope_expr(ast::Var::kResource, policy.resource), conditions_expr(policy),
                        policy.loc),
                   policy.loc),
              policy.loc);
}

}  // namespace crossgate::cedar::validator
