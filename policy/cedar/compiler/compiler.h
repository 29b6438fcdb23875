// Lowers AST expressions (ast/expr.h) into the evaluable Nodes of program.h:
// `!=`, `>` and friends become their own operations, literals become Values, extension
// calls are bound to their implementation, `is ... in` keeps one evaluation of its
// target, and subtrees that do not depend on the request or the entities are evaluated
// once, here, when that succeeds.
#pragma once

#include <optional>

#include "policy/cedar/ast/expr.h"
#include "policy/cedar/compiler/program.h"
#include "policy/cedar/value/arena.h"

namespace crossgate::cedar {

// Entities bound to a template's slots when it is linked.
struct SlotBindings {
  std::optional<ast::EntityRef> principal;
  std::optional<ast::EntityRef> resource;
};

class ExprCompiler {
 public:
  // Nodes and constants are allocated in `arena`, which must outlive them.
  explicit ExprCompiler(Arena& arena) : arena_(arena) {}

  const Node* compile(const ast::Expr& expr, const SlotBindings& slots = {});

  // Makes an entity uid owned by the arena.
  const EntityUid* entity(const ast::EntityRef& ref);

 private:
  const Node* lower(const ast::Expr& expr, const SlotBindings& slots);
  const Node* fold(Node* node);
  Node* make(Op op, SourceLoc loc, std::initializer_list<const Node*> args);
  Node* make(Op op, SourceLoc loc, std::span<const Node* const> args);

  Arena& arena_;
};

}  // namespace crossgate::cedar
