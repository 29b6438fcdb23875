#include "policy/cedar/compiler/compiler.h"

#include <vector>

#include "policy/cedar/entities/entities.h"
#include "policy/cedar/evaluator/evaluator.h"
#include "policy/cedar/extensions/extension_functions.h"

namespace crossgate::cedar {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kConst: return "literal";
    case Op::kPrincipal: return "principal";
    case Op::kAction: return "action";
    case Op::kResource: return "resource";
    case Op::kContext: return "context";
    case Op::kIf: return "if";
    case Op::kAnd: return "&&";
    case Op::kOr: return "||";
    case Op::kNot: return "!";
    case Op::kNeg: return "-";
    case Op::kIsEmpty: return "isEmpty";
    case Op::kEq: return "==";
    case Op::kNotEq: return "!=";
    case Op::kLess: return "<";
    case Op::kLessEq: return "<=";
    case Op::kGreater: return ">";
    case Op::kGreaterEq: return ">=";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kIn: return "in";
    case Op::kContains: return "contains";
    case Op::kContainsAll: return "containsAll";
    case Op::kContainsAny: return "containsAny";
    case Op::kGetTag: return "getTag";
    case Op::kHasTag: return "hasTag";
    case Op::kGetAttr: return "attribute access";
    case Op::kHasAttr: return "has";
    case Op::kLike: return "like";
    case Op::kIs: return "is";
    case Op::kSet: return "set literal";
    case Op::kRecord: return "record literal";
    case Op::kCall: return "extension call";
  }
  return "?";
}

const EntityUid* ExprCompiler::entity(const ast::EntityRef& ref) {
  return EntityUid::make(arena_, ref.type, ref.id);
}

Node* ExprCompiler::make(Op op, SourceLoc loc, std::span<const Node* const> args) {
  Node* node = arena_.make<Node>();
  node->op = op;
  node->loc = loc;
  std::span<const Node*> stored = arena_.make_array<const Node*>(args.size());
  std::copy(args.begin(), args.end(), stored.begin());
  node->args = stored;
  return node;
}

Node* ExprCompiler::make(Op op, SourceLoc loc, std::initializer_list<const Node*> args) {
  return make(op, loc, std::span<const Node* const>(args.begin(), args.size()));
}

const Node* ExprCompiler::compile(const ast::Expr& expr, const SlotBindings& slots) {
  return lower(expr, slots);
}

namespace {

Op binary_op(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kEq: return Op::kEq;
    case ast::BinaryOp::kNotEq: return Op::kNotEq;
    case ast::BinaryOp::kLess: return Op::kLess;
    case ast::BinaryOp::kLessEq: return Op::kLessEq;
    case ast::BinaryOp::kGreater: return Op::kGreater;
    case ast::BinaryOp::kGreaterEq: return Op::kGreaterEq;
    case ast::BinaryOp::kIn: return Op::kIn;
    case ast::BinaryOp::kAdd: return Op::kAdd;
    case ast::BinaryOp::kSub: return Op::kSub;
    case ast::BinaryOp::kMul: return Op::kMul;
    case ast::BinaryOp::kContains: return Op::kContains;
    case ast::BinaryOp::kContainsAll: return Op::kContainsAll;
    case ast::BinaryOp::kContainsAny: return Op::kContainsAny;
    case ast::BinaryOp::kGetTag: return Op::kGetTag;
    case ast::BinaryOp::kHasTag: return Op::kHasTag;
  }
  return Op::kEq;
}

// Whether a node with constant arguments still depends on the entity store.
bool needs_entities(const Node& node) {
  switch (node.op) {
    case Op::kIn:
    case Op::kGetTag:
    case Op::kHasTag: return true;
    case Op::kGetAttr:
    case Op::kHasAttr: return node.args[0]->constant.is(ValueKind::kEntity);
    case Op::kIs: return node.args.size() > 1;
    default: return false;
  }
}

}  // namespace

const Node* ExprCompiler::fold(Node* node) {
  for (const Node* arg : node->args) {
    if (arg->op != Op::kConst) return node;
  }
  if (needs_entities(*node)) return node;
  // Evaluate with no entities and a placeholder request: nothing here can reach them.
  static const Entities kNoEntities;
  static const Request kNoRequest;
  Evaluator evaluator(kNoRequest, kNoEntities, arena_);
  Value value;
  if (!evaluator.evaluate(*node, value)) return node;  // the error happens at request time
  Node* folded = make(Op::kConst, node->loc, {});
  folded->constant = value;
  return folded;
}

const Node* ExprCompiler::lower(const ast::Expr& e, const SlotBindings& slots) {
  std::vector<const Node*> args;
  args.reserve(e.children.size());
  for (const ast::ExprPtr& child : e.children)
    args.push_back(lower(*child, slots));
  switch (e.kind) {
    case ast::ExprKind::kBool: {
      Node* n = make(Op::kConst, e.loc, {});
      n->constant = Value::boolean(e.bool_value);
      return n;
    }
    case ast::ExprKind::kLong: {
      Node* n = make(Op::kConst, e.loc, {});
      n->constant = Value::integer(e.long_value);
      return n;
    }
    case ast::ExprKind::kString: {
      Node* n = make(Op::kConst, e.loc, {});
      n->constant = Value::make_string(arena_, e.text);
      return n;
    }
    case ast::ExprKind::kEntity: {
      Node* n = make(Op::kConst, e.loc, {});
      n->constant = Value::entity(entity(e.entity));
      return n;
    }
    case ast::ExprKind::kSlot: {
      // Slots only appear in scopes, which are compiled separately; a bound slot here
      // would come from a hand-built AST.
      const std::optional<ast::EntityRef>& bound =
          e.slot == ast::SlotId::kPrincipal ? slots.principal : slots.resource;
      Node* n = make(Op::kConst, e.loc, {});
      n->constant = bound ? Value::entity(entity(*bound)) : Value();
      return n;
    }
    case ast::ExprKind::kVar: {
      switch (e.var) {
        case ast::Var::kPrincipal: return make(Op::kPrincipal, e.loc, {});
        case ast::Var::kAction: return make(Op::kAction, e.loc, {});
        case ast::Var::kResource: return make(Op::kResource, e.loc, {});
        case ast::Var::kContext: return make(Op::kContext, e.loc, {});
      }
      return nullptr;
    }
    case ast::ExprKind::kIf: return fold(make(Op::kIf, e.loc, args));
    case ast::ExprKind::kAnd: return fold(make(Op::kAnd, e.loc, args));
    case ast::ExprKind::kOr: return fold(make(Op::kOr, e.loc, args));
    case ast::ExprKind::kUnary: {
      Op op = e.unary_op == ast::UnaryOp::kNot   ? Op::kNot
              : e.unary_op == ast::UnaryOp::kNeg ? Op::kNeg
                                                 : Op::kIsEmpty;
      return fold(make(op, e.loc, args));
    }
    case ast::ExprKind::kBinary: return fold(make(binary_op(e.binary_op), e.loc, args));
    case ast::ExprKind::kGetAttr:
    case ast::ExprKind::kHasAttr: {
      Node* n = make(e.kind == ast::ExprKind::kGetAttr ? Op::kGetAttr : Op::kHasAttr, e.loc, args);
      n->name = arena_.copy(e.text);
      return fold(n);
    }
    case ast::ExprKind::kLike: {
      Node* n = make(Op::kLike, e.loc, args);
      std::span<PatternPiece> pieces = arena_.make_array<PatternPiece>(e.pattern.size());
      for (std::size_t i = 0; i < e.pattern.size(); ++i) {
        pieces[i] = PatternPiece{e.pattern[i].wildcard, arena_.copy(e.pattern[i].literal)};
      }
      n->pattern = pieces;
      return fold(n);
    }
    case ast::ExprKind::kIs: {
      Node* n = make(Op::kIs, e.loc, args);
      n->name = arena_.copy(e.text);
      return fold(n);
    }
    case ast::ExprKind::kSet: return fold(make(Op::kSet, e.loc, args));
    case ast::ExprKind::kRecord: {
      Node* n = make(Op::kRecord, e.loc, args);
      std::span<std::string_view> keys = arena_.make_array<std::string_view>(e.keys.size());
      for (std::size_t i = 0; i < e.keys.size(); ++i)
        keys[i] = arena_.copy(e.keys[i]);
      n->keys = keys;
      return fold(n);
    }
    case ast::ExprKind::kCall: {
      Node* n = make(Op::kCall, e.loc, args);
      n->function = find_extension_function(e.text);
      return fold(n);
    }
  }
  return nullptr;
}

}  // namespace crossgate::cedar
