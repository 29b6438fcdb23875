#include "policy/cedar/ast/expr.h"

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::ast {

std::string_view var_name(Var var) {
  switch (var) {
    case Var::kPrincipal: return "principal";
    case Var::kAction: return "action";
    case Var::kResource: return "resource";
    case Var::kContext: return "context";
  }
  return "?";
}

std::string_view slot_name(SlotId slot) {
  return slot == SlotId::kPrincipal ? "?principal" : "?resource";
}

std::string_view binary_op_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNotEq: return "!=";
    case BinaryOp::kLess: return "<";
    case BinaryOp::kLessEq: return "<=";
    case BinaryOp::kGreater: return ">";
    case BinaryOp::kGreaterEq: return ">=";
    case BinaryOp::kIn: return "in";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kContains: return "contains";
    case BinaryOp::kContainsAll: return "containsAll";
    case BinaryOp::kContainsAny: return "containsAny";
    case BinaryOp::kGetTag: return "getTag";
    case BinaryOp::kHasTag: return "hasTag";
  }
  return "?";
}

ExprPtr clone(const Expr& expr) {
  auto copy = std::make_unique<Expr>();
  copy->kind = expr.kind;
  copy->loc = expr.loc;
  copy->height = expr.height;
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
  copy->children.reserve(expr.children.size());
  for (const ExprPtr& child : expr.children)
    copy->children.push_back(clone(*child));
  return copy;
}

namespace {

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Operands that are not atoms get parentheses, so the text always reparses to the same
// tree regardless of precedence.
std::string operand(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLong: return e.long_value < 0 ? "(" + to_string(e) + ")" : to_string(e);
    case ExprKind::kBool:
    case ExprKind::kString:
    case ExprKind::kEntity:
    case ExprKind::kVar:
    case ExprKind::kSlot:
    case ExprKind::kSet:
    case ExprKind::kRecord:
    case ExprKind::kGetAttr:
    case ExprKind::kCall: return to_string(e);
    default: return "(" + to_string(e) + ")";
  }
}

std::string attribute_access(const Expr& target, const std::string& name) {
  if (is_identifier(name)) return operand(target) + "." + name;
  return operand(target) + "[" + quote(name) + "]";
}

}  // namespace

std::string to_string(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBool: return e.bool_value ? "true" : "false";
    case ExprKind::kLong: return std::to_string(e.long_value);
    case ExprKind::kString: return quote(e.text);
    case ExprKind::kEntity: return e.entity.type + "::" + quote(e.entity.id);
    case ExprKind::kVar: return std::string(var_name(e.var));
    case ExprKind::kSlot: return std::string(slot_name(e.slot));
    case ExprKind::kIf:
      return "if " + to_string(*e.children[0]) + " then " + to_string(*e.children[1]) + " else " +
             to_string(*e.children[2]);
    case ExprKind::kAnd: return operand(*e.children[0]) + " && " + operand(*e.children[1]);
    case ExprKind::kOr: return operand(*e.children[0]) + " || " + operand(*e.children[1]);
    case ExprKind::kUnary:
      switch (e.unary_op) {
        case UnaryOp::kNot: return "!" + operand(*e.children[0]);
        case UnaryOp::kNeg: return "-" + operand(*e.children[0]);
        case UnaryOp::kIsEmpty: return operand(*e.children[0]) + ".isEmpty()";
      }
      return {};
    case ExprKind::kBinary: {
      std::string_view op = binary_op_text(e.binary_op);
      switch (e.binary_op) {
        case BinaryOp::kContains:
        case BinaryOp::kContainsAll:
        case BinaryOp::kContainsAny:
        case BinaryOp::kGetTag:
        case BinaryOp::kHasTag:
          return operand(*e.children[0]) + "." + std::string(op) + "(" + to_string(*e.children[1]) +
                 ")";
        default:
          return operand(*e.children[0]) + " " + std::string(op) + " " + operand(*e.children[1]);
      }
    }
    case ExprKind::kGetAttr: return attribute_access(*e.children[0], e.text);
    case ExprKind::kHasAttr:
      return operand(*e.children[0]) + " has " + (is_identifier(e.text) ? e.text : quote(e.text));
    case ExprKind::kLike: {
      std::string pattern;
      for (const PatternElement& p : e.pattern) {
        if (p.wildcard) {
          pattern += '*';
        } else {
          std::string escaped;
          append_escaped(escaped, p.literal);
          for (char c : escaped) {
            if (c == '*') pattern += '\\';
            pattern += c;
          }
        }
      }
      return operand(*e.children[0]) + " like \"" + pattern + "\"";
    }
    case ExprKind::kIs: {
      std::string out = operand(*e.children[0]) + " is " + e.text;
      if (e.children.size() > 1) out += " in " + operand(*e.children[1]);
      return out;
    }
    case ExprKind::kSet: {
      std::string out = "[";
      for (std::size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) out += ", ";
        out += to_string(*e.children[i]);
      }
      return out + "]";
    }
    case ExprKind::kRecord: {
      std::string out = "{";
      for (std::size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) out += ", ";
        out += quote(e.keys[i]) + ": " + to_string(*e.children[i]);
      }
      return out + "}";
    }
    case ExprKind::kCall: {
      std::size_t first = 0;
      std::string out;
      if (e.is_method_call) {
        out = operand(*e.children[0]) + ".";
        first = 1;
      }
      out += e.text + "(";
      for (std::size_t i = first; i < e.children.size(); ++i) {
        if (i > first) out += ", ";
        out += to_string(*e.children[i]);
      }
      return out + ")";
    }
  }
  return {};
}

}  // namespace crossgate::cedar::ast
