// Evaluates compiled expressions (compiler/program.h) for one request, with the
// reference semantics: which operations are errors and which are false, short-circuiting
// `&&`, `||` and `if`, checked 64-bit arithmetic, `in` over the entity hierarchy.
//
// An Evaluator is cheap to make (one per request); values it creates live in the scratch
// arena it is given, which the caller resets between requests.
#pragma once

#include "policy/cedar/compiler/program.h"
#include "policy/cedar/entities/entities.h"
#include "policy/cedar/evaluator/eval_error.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/request.h"

namespace crossgate::cedar {

class Evaluator {
 public:
  Evaluator(const Request& request, const Entities& entities, Arena& scratch);

  // On failure returns false; error() then says why.
  bool evaluate(const Node& node, Value& out);
  // Evaluates a condition that must produce a bool.
  bool evaluate_bool(const Node& node, bool& out);

  const EvalError& error() const { return error_; }

  const Request& request() const { return request_; }
  const Entities& entities() const { return entities_; }
  const Entity* principal_entity() const { return principal_; }
  const Entity* action_entity() const { return action_; }
  const Entity* resource_entity() const { return resource_; }

 private:
  bool fail(EvalErrorKind kind, const Node& node, Value subject, std::string_view detail = {});
  bool type_error(const Node& node, Value got, std::string_view expected);
  const Entity* lookup(const EntityUid& uid) const;
  const Entity* find_entity(const EntityUid& uid) const;

  bool eval_if(const Node& node, Value& out);
  bool eval_logical(const Node& node, bool is_and, Value& out);
  bool eval_comparison(const Node& node, Value& out);
  bool eval_arithmetic(const Node& node, Value& out);
  bool eval_in(const Node& node, const Value& left, const Value& right, Value& out);
  bool eval_binary(const Node& node, Value& out);
  bool eval_get_attr(const Node& node, Value& out);
  bool eval_has_attr(const Node& node, Value& out);
  bool eval_like(const Node& node, Value& out);
  bool eval_is(const Node& node, Value& out);
  bool eval_set(const Node& node, Value& out);
  bool eval_record(const Node& node, Value& out);
  bool eval_call(const Node& node, Value& out);

  const Request& request_;
  const Entities& entities_;
  Arena& scratch_;
  const Entity* principal_;
  const Entity* action_;
  const Entity* resource_;
  EvalError error_;
};

// Cedar's `like`: `*` matches any sequence (including none), everything else itself.
bool matches_pattern(std::string_view text, std::span<const PatternPiece> pattern);

}  // namespace crossgate::cedar
