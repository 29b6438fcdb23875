// The typing rules of every expression form (typechecker.h).
//
// Each rule produces an Answer: whether the expression typechecked, its type (also on
// failure when the reference can still tell it, e.g. `&&` is Bool even when an operand is
// wrong, so that checking goes on and reports every error), and the capabilities it
// grants when true. Rules are sequenced as the reference sequences them: when an operand
// fails, the rest of the rule still runs on the operand's recovery type to find further
// errors, and the result is a failure. Singleton booleans cut typechecking short: the
// right of `false && e` and the branches an `if` cannot take are not examined.
#include "policy/cedar/validator/typechecker.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "policy/cedar/validator/capabilities.h"
#include "policy/cedar/validator/extension_types.h"
#include "policy/cedar/validator/type_error_text.h"
#include "policy/cedar/validator/types.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

using ast::BinaryOp;
using ast::Expr;
using ast::ExprKind;
using MaybeType = std::optional<Type>;

struct Answer {
  bool ok = false;
  MaybeType type;
  CapabilitySet capabilities;  // only for a successful answer
};

Answer success(MaybeType type, CapabilitySet capabilities = {}) {
  return Answer{true, std::move(type), std::move(capabilities)};
}

Answer failure(MaybeType type) {
  return Answer{false, std::move(type), {}};
}

// Runs `next` on the type and capabilities of `first`. When `first` failed, `next` still
// runs (on the recovery type, without capabilities) so that its errors are found, and
// the combined answer is a failure.
template <class Next>
Answer then(Answer first, Next&& next) {
  if (first.ok) return next(std::move(first.type), std::move(first.capabilities));
  Answer out = next(std::move(first.type), CapabilitySet{});
  out.ok = false;
  out.capabilities = {};
  return out;
}

bool is_true(const MaybeType& t) {
  return t && t->is_singleton(true);
}
bool is_false(const MaybeType& t) {
  return t && t->is_singleton(false);
}

using HelpFor = Help (*)(const Type& actual);

Help no_help(const Type&) {
  return Help::kNone;
}

bool is_some_entity(const Type& t) {
  return t.is(Type::Kind::kEntity) || t.is(Type::Kind::kAnyEntity);
}

// Where an expression starts in the policy text, as the reference locates errors. The
// parser places a member access, a method call or an infix operator at its name or
// operator token; the expression itself starts with its first operand.
SourceLoc start_of(const Expr& e) {
  SourceLoc loc = e.loc;
  if (!e.children.empty()) {
    SourceLoc first = start_of(*e.children.front());
    bool earlier = first.line != 0 && (loc.line == 0 || first.line < loc.line ||
                                       (first.line == loc.line && first.column < loc.column));
    if (earlier) loc = first;
  }
  return loc;
}

bool is_literal(const Expr& e) {
  return e.kind == ExprKind::kBool || e.kind == ExprKind::kLong || e.kind == ExprKind::kString ||
         e.kind == ExprKind::kEntity;
}

class EnvTypechecker {
 public:
  EnvTypechecker(const ValidatorSchema& schema, const RequestEnv& env, const ast::Policy& policy,
                 std::vector<ValidationError>& errors)
      : schema_(schema), env_(env), policy_(policy), errors_(errors) {}

  Answer check(const CapabilitySet& prior, const Expr& e) {
    switch (e.kind) {
      case ExprKind::kBool: return success(Type::singleton(e.bool_value));
      case ExprKind::kLong: return success(Type::long_type());
      case ExprKind::kString: return success(Type::string_type());
      case ExprKind::kEntity: return check_entity_literal(e);
      case ExprKind::kVar: return success(variable_type(e.var));
      case ExprKind::kSlot: return success(slot_type(e.slot));
      case ExprKind::kIf: return check_if(prior, e);
      case ExprKind::kAnd: return check_and(prior, e);
      case ExprKind::kOr: return check_or(prior, e);
      case ExprKind::kUnary: return check_unary(prior, e);
      case ExprKind::kBinary: return check_binary(prior, e);
      case ExprKind::kGetAttr: return check_get_attr(prior, e);
      case ExprKind::kHasAttr: return check_has_attr(prior, e);
      case ExprKind::kLike: return check_like(prior, e);
      case ExprKind::kIs: return check_is(prior, e);
      case ExprKind::kSet: return check_set(prior, e);
      case ExprKind::kRecord: return check_record(prior, e);
      case ExprKind::kCall: return check_call(prior, e);
    }
    return failure(std::nullopt);
  }

  // Typechecks `e` and requires its type to be a subtype of one of `expected` (compared
  // permissively, so that any record is "a record" and any entity "an entity"). A
  // mismatch is reported and leaves no type.
  Answer expect(const CapabilitySet& prior, const Expr& e, std::span<const Type> expected,
                HelpFor help = no_help) {
    return then(check(prior, e), [&](MaybeType actual, CapabilitySet capabilities) {
      if (!actual) return failure(std::nullopt);
      for (const Type& candidate : expected) {
        if (is_subtype(*actual, candidate, Mode::kPermissive)) {
          return success(std::move(actual), std::move(capabilities));
        }
      }
      report_unexpected(start_of(e), expected, *actual, help(*actual));
      return failure(std::nullopt);
    });
  }

  Answer expect(const CapabilitySet& prior, const Expr& e, const Type& expected,
                HelpFor help = no_help) {
    return expect(prior, e, std::span<const Type>(&expected, 1), help);
  }

 private:
  // ---- leaves -----------------------------------------------------------------------

  Answer check_entity_literal(const Expr& e) {
    // Undeclared types and actions fail without a message here: the policy-level checks
    // (policy_checks.h) report them once rather than once per environment.
    std::optional<Type> type = literal_entity_type(e.entity.type, e.entity.id);
    if (!type) return failure(std::nullopt);
    return success(std::move(type));
  }

  std::optional<Type> literal_entity_type(const std::string& type, const std::string& id) const {
    if (is_action_entity_type(type)) {
      if (schema_.find_action(type, id) == nullptr) return std::nullopt;
      return Type::entity(type);
    }
    if (schema_.find_entity_type(type) == nullptr) return std::nullopt;
    return Type::entity(type);
  }

  Type variable_type(ast::Var var) const {
    switch (var) {
      case ast::Var::kPrincipal: return Type::entity(*env_.principal);
      case ast::Var::kAction: return Type::entity(env_.action->type);
      case ast::Var::kResource: return Type::entity(*env_.resource);
      case ast::Var::kContext: return env_.action->context;
    }
    return Type::never();
  }

  Type slot_type(ast::SlotId slot) const {
    const std::optional<std::string>& linked =
        slot == ast::SlotId::kPrincipal ? env_.principal_slot : env_.resource_slot;
    return linked ? Type::entity(*linked) : Type::any_entity();
  }

  // ---- control flow -----------------------------------------------------------------

  Answer check_if(const CapabilitySet& prior, const Expr& e) {
    const Expr& test = *e.children[0];
    const Expr& then_branch = *e.children[1];
    const Expr& else_branch = *e.children[2];
    Answer test_answer = expect(prior, test, Type::boolean());
    return then(std::move(test_answer), [&](MaybeType test_type, CapabilitySet test_caps) {
      if (is_true(test_type)) {
        // Only the `then` branch can be taken, with what the test proved.
        Answer taken = check(prior.union_with(test_caps), then_branch);
        return then(std::move(taken), [&](MaybeType type, CapabilitySet caps) {
          return success(std::move(type), caps.union_with(test_caps));
        });
      }
      if (is_false(test_type)) {
        Answer taken = check(prior, else_branch);
        return then(std::move(taken), [](MaybeType type, CapabilitySet caps) {
          return success(std::move(type), std::move(caps));
        });
      }
      Answer then_answer = check(prior.union_with(test_caps), then_branch);
      if (then_answer.ok) then_answer.capabilities = then_answer.capabilities.union_with(test_caps);
      Answer else_answer = check(prior, else_branch);
      return then(std::move(then_answer), [&](MaybeType then_type, CapabilitySet then_caps) {
        return then(std::move(else_answer), [&](MaybeType else_type, CapabilitySet else_caps) {
          std::optional<Type> lub =
              lub_or_report(start_of(e), {then_type, else_type}, LubContext::kConditional);
          if (!lub) return failure(std::nullopt);
          // True means one branch was taken and was true: only what both grant holds.
          return success(std::move(lub), else_caps.intersect(then_caps));
        });
      });
    });
  }

  Answer check_and(const CapabilitySet& prior, const Expr& e) {
    const Expr& left = *e.children[0];
    const Expr& right = *e.children[1];
    return then(expect(prior, left, Type::boolean()), [&](MaybeType lt, CapabilitySet lcaps) {
      // `false && e`: the right is never evaluated, so it is not examined.
      if (is_false(lt)) return success(std::move(lt));
      // The right is evaluated only when the left is true: it may use what the left proved.
      Answer right_answer = expect(prior.union_with(lcaps), right, Type::boolean());
      return then(std::move(right_answer), [&](MaybeType rt, CapabilitySet rcaps) {
        if (lt && is_false(rt)) return success(Type::singleton(false));
        if (lt && is_true(rt)) return success(lt, lcaps.union_with(rcaps));
        if (is_true(lt) && rt) return success(std::move(rt), std::move(rcaps));
        if (lt && rt) return success(Type::boolean(), lcaps.union_with(rcaps));
        return failure(Type::boolean());
      });
    });
  }

  Answer check_or(const CapabilitySet& prior, const Expr& e) {
    const Expr& left = *e.children[0];
    const Expr& right = *e.children[1];
    return then(expect(prior, left, Type::boolean()), [&](MaybeType lt, CapabilitySet lcaps) {
      if (is_true(lt)) return success(std::move(lt), std::move(lcaps));
      // The left may have been either, so the right cannot rely on it.
      Answer right_answer = expect(prior, right, Type::boolean());
      return then(std::move(right_answer), [&](MaybeType rt, CapabilitySet rcaps) {
        if (lt && is_true(rt)) return success(Type::singleton(true), std::move(rcaps));
        // When one side is always false, the `||` is true only through the other.
        if (lt && is_false(rt)) return success(lt, lcaps);
        if (is_false(lt) && rt) return success(std::move(rt), std::move(rcaps));
        if (lt && rt) return success(Type::boolean(), rcaps.intersect(lcaps));
        return failure(Type::boolean());
      });
    });
  }

  // ---- operators ----------------------------------------------------------------------

  Answer check_unary(const CapabilitySet& prior, const Expr& e) {
    const Expr& operand = *e.children[0];
    switch (e.unary_op) {
      case ast::UnaryOp::kNot:
        return then(expect(prior, operand, Type::boolean()), [](MaybeType t, CapabilitySet) {
          if (!t) return failure(Type::boolean());
          if (t->is_singleton(true)) return success(Type::singleton(false));
          if (t->is_singleton(false)) return success(Type::singleton(true));
          return success(Type::boolean());
        });
      case ast::UnaryOp::kNeg:
        return then(expect(prior, operand, Type::long_type()),
                    [](MaybeType, CapabilitySet) { return success(Type::long_type()); });
      case ast::UnaryOp::kIsEmpty: {
        HelpFor help = [](const Type& actual) {
          return actual.is(Type::Kind::kString) ? Help::kTryUsingEqEmptyString : Help::kNone;
        };
        return then(expect(prior, operand, Type::any_set(), help),
                    [](MaybeType, CapabilitySet) { return success(Type::boolean()); });
      }
    }
    return failure(std::nullopt);
  }

  Answer check_binary(const CapabilitySet& prior, const Expr& e) {
    const Expr& left = *e.children[0];
    const Expr& right = *e.children[1];
    switch (e.binary_op) {
      case BinaryOp::kEq: return check_equality(prior, e, left, right);
      case BinaryOp::kLess:
      case BinaryOp::kLessEq: return check_comparison(prior, left, right);
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul: return check_arithmetic(prior, e.binary_op, left, right);
      case BinaryOp::kIn: return check_in(prior, left, right);
      case BinaryOp::kContains: return check_contains(prior, e, left, right);
      case BinaryOp::kContainsAll:
      case BinaryOp::kContainsAny: return check_contains_all_any(prior, e, left, right);
      case BinaryOp::kHasTag: return check_has_tag(prior, left, right);
      case BinaryOp::kGetTag: return check_get_tag(prior, e, left, right);
      case BinaryOp::kNotEq:
      case BinaryOp::kGreater:
      case BinaryOp::kGreaterEq:
        // core_expr.cc rewrites these into `!` of `==`, `<=` and `<`; typing them
        // directly the same way keeps this function total.
        return check_negated_relation(prior, e, left, right);
    }
    return failure(std::nullopt);
  }

  Answer check_negated_relation(const CapabilitySet& prior, const Expr& e, const Expr& left,
                                const Expr& right) {
    Answer inner = e.binary_op == BinaryOp::kNotEq ? check_equality(prior, e, left, right)
                                                   : check_comparison(prior, left, right);
    return then(std::move(inner), [](MaybeType t, CapabilitySet) {
      if (!t) return failure(Type::boolean());
      if (t->is_singleton(true)) return success(Type::singleton(false));
      if (t->is_singleton(false)) return success(Type::singleton(true));
      return success(Type::boolean());
    });
  }

  Answer check_equality(const CapabilitySet& prior, const Expr& e, const Expr& left,
                        const Expr& right) {
    Answer lhs = check(prior, left);
    Answer rhs = check(prior, right);
    return then(std::move(lhs), [&](MaybeType lt, CapabilitySet) {
      return then(std::move(rhs), [&](MaybeType rt, CapabilitySet) {
        Type result = equality_type(left, lt, right, rt);
        return strict_equality(start_of(e), std::move(result), lt, rt, LubContext::kEquality);
      });
    });
  }

  // False when no value has both types; the literal truth when both sides are literals
  // (the `action` variable counts as the environment's action); otherwise Bool.
  Type equality_type(const Expr& left, const MaybeType& lt, const Expr& right,
                     const MaybeType& rt) const {
    if (lt && rt && are_disjoint(*lt, *rt)) return Type::singleton(false);
    const Expr* a = literal_or_action(left);
    const Expr* b = literal_or_action(right);
    if (a != nullptr && b != nullptr) return Type::singleton(literals_equal(*a, *b));
    return Type::boolean();
  }

  // Strict mode wants the operands of `==` (and the element and operand of `contains`,
  // and both sets of `containsAll`/`containsAny`) to have a common type, unless the
  // result is already known.
  Answer strict_equality(SourceLoc loc, Type result, const MaybeType& lt, const MaybeType& rt,
                         LubContext context) {
    if (result.is_singleton(true) || result.is_singleton(false)) return success(std::move(result));
    if (lt && rt) {
      LubFailure why = LubFailure::kNone;
      if (!least_upper_bound(*lt, *rt, Mode::kStrict, &why)) {
        report_incompatible(loc, {*lt, *rt}, why, context);
        return failure(std::move(result));
      }
    }
    return success(std::move(result));
  }

  Answer check_comparison(const CapabilitySet& prior, const Expr& left, const Expr& right) {
    return then(check(prior, left), [&](MaybeType t1, CapabilitySet) {
      return then(check(prior, right), [&](MaybeType t2, CapabilitySet) {
        if (!t1 || !t2) return failure(Type::boolean());
        auto comparable = [](const Type& t) {
          return t.is(Type::Kind::kLong) || has_operator_overloading(t);
        };
        bool never1 = t1->is(Type::Kind::kNever);
        bool never2 = t2->is(Type::Kind::kNever);
        if (never1 && never2) return failure(Type::boolean());
        if (never1 || never2) {
          const Type& other = never1 ? *t2 : *t1;
          if (comparable(other)) return success(Type::boolean());
          report_unexpected(start_of(never1 ? right : left), comparison_operand_types(), other);
          return failure(Type::boolean());
        }
        if (*t1 == *t2 && comparable(*t1)) return success(Type::boolean());
        if (t1->is(Type::Kind::kLong)) {
          report_unexpected(start_of(right), {Type::long_type()}, *t2);
        } else if (t2->is(Type::Kind::kLong)) {
          report_unexpected(start_of(left), {Type::long_type()}, *t1);
        } else if (comparable(*t1)) {
          report_unexpected(start_of(right), {*t1}, *t2);
        } else if (comparable(*t2)) {
          report_unexpected(start_of(left), {*t2}, *t1);
        } else {
          report_unexpected(start_of(left), comparison_operand_types(), *t1);
          report_unexpected(start_of(right), comparison_operand_types(), *t2);
        }
        return failure(Type::boolean());
      });
    });
  }

  Answer check_arithmetic(const CapabilitySet& prior, BinaryOp op, const Expr& left,
                          const Expr& right) {
    HelpFor help =
        op == BinaryOp::kAdd
            ? HelpFor([](const Type& actual) {
                if (actual.is(Type::Kind::kString)) return Help::kConcatenationNotSupported;
                if (actual.is(Type::Kind::kSet)) return Help::kSetOperationsNotSupported;
                return Help::kNone;
              })
            : HelpFor([](const Type& actual) {
                return actual.is(Type::Kind::kSet) ? Help::kSetOperationsNotSupported : Help::kNone;
              });
    return then(expect(prior, left, Type::long_type(), help), [&](MaybeType, CapabilitySet) {
      return then(expect(prior, right, Type::long_type(), help),
                  [](MaybeType, CapabilitySet) { return success(Type::long_type()); });
    });
  }

  static Help help_for_set_operand(const Type& actual) {
    if (is_some_entity(actual)) return Help::kTryUsingIn;
    if (actual.is(Type::Kind::kRecord)) return Help::kTryUsingHas;
    if (actual.is(Type::Kind::kString)) return Help::kTryUsingLike;
    return Help::kNone;
  }

  Answer check_contains(const CapabilitySet& prior, const Expr& e, const Expr& left,
                        const Expr& right) {
    return then(expect(prior, left, Type::any_set(), help_for_set_operand), [&](MaybeType set_type,
                                                                                CapabilitySet) {
      return then(check(prior, right), [&](MaybeType element_type, CapabilitySet) {
        MaybeType declared;
        if (set_type && set_type->is(Type::Kind::kSet) && set_type->element() != nullptr) {
          declared = *set_type->element();
        }
        return strict_equality(start_of(e), Type::boolean(), declared, element_type,
                               LubContext::kContains);
      });
    });
  }

  Answer check_contains_all_any(const CapabilitySet& prior, const Expr& e, const Expr& left,
                                const Expr& right) {
    return then(expect(prior, left, Type::any_set(), help_for_set_operand),
                [&](MaybeType t1, CapabilitySet) {
                  return then(expect(prior, right, Type::any_set(),
                                     [](const Type&) { return Help::kTryUsingSingleContains; }),
                              [&](MaybeType t2, CapabilitySet) {
                                return strict_equality(start_of(e), Type::boolean(), t1, t2,
                                                       LubContext::kContainsAnyAll);
                              });
                });
  }

  // ---- `in` ---------------------------------------------------------------------------

  Answer check_in(const CapabilitySet& prior, const Expr& left, const Expr& right) {
    static const Type kEntitySet = Type::set(Type::any_entity());
    static const Type kRightTypes[] = {kEntitySet, Type::any_entity()};
    Answer lhs = expect(prior, left, Type::any_entity(),
                        [](const Type&) { return Help::kTryUsingContains; });
    Answer rhs = expect(prior, right, kRightTypes, [](const Type& actual) {
      if (actual.is(Type::Kind::kSet)) return Help::kTryUsingContains;
      if (actual.is(Type::Kind::kString)) return Help::kTryUsingLike;
      return Help::kNone;
    });
    bool both_ok = lhs.ok && rhs.ok;
    return then(std::move(lhs), [&](MaybeType lt, CapabilitySet) {
      return then(std::move(rhs), [&](MaybeType rt, CapabilitySet) {
        if (!both_ok) return failure(Type::boolean());
        return success_in(left, lt, right, rt);
      });
    });
  }

  // The type of a well-typed `in`: exact when an action (literal or the `action`
  // variable) is tested against literal actions, False when the schema's hierarchy rules
  // it out, Bool otherwise.
  Answer success_in(const Expr& left, const MaybeType& lt, const Expr& right, const MaybeType& rt) {
    const Expr* lhs_uid = literal_uid(left);
    std::vector<const Expr*> rhs_uids;
    bool rhs_literal = literal_uids(right, rhs_uids);
    if (lhs_uid != nullptr && rhs_literal && is_action_entity_type(uid_type(*lhs_uid))) {
      std::vector<std::pair<std::string_view, std::string_view>> groups;
      for (const Expr* uid : rhs_uids) {
        // An action is never in a non-action entity.
        if (is_action_entity_type(uid_type(*uid)))
          groups.emplace_back(uid_type(*uid), uid_id(*uid));
      }
      if (groups.empty()) return success(Type::singleton(false));
      std::optional<std::vector<std::size_t>> members = schema_.actions_in(groups);
      // An undeclared action is reported by the policy-level checks.
      if (!members) return failure(Type::boolean());
      const ActionInfo* action = schema_.find_action(uid_type(*lhs_uid), uid_id(*lhs_uid));
      bool found = false;
      if (action != nullptr) {
        std::size_t position = schema_.position_of(*action);
        for (std::size_t m : *members)
          found = found || m == position;
      }
      return success(Type::singleton(found));
    }
    const Type* lhs_entities = lt && lt->is(Type::Kind::kEntity) ? &*lt : nullptr;
    const Type* rhs_entities = nullptr;
    if (rt && rt->is(Type::Kind::kEntity)) {
      rhs_entities = &*rt;
    } else if (rt && rt->is(Type::Kind::kSet) && rt->element() != nullptr &&
               rt->element()->is(Type::Kind::kEntity)) {
      rhs_entities = rt->element();
    }
    if (lhs_entities != nullptr && rhs_entities != nullptr &&
        !may_be_descendant(*lhs_entities, *rhs_entities)) {
      return success(Type::singleton(false));
    }
    return success(Type::boolean());
  }

  bool may_be_descendant(const Type& members, const Type& groups) const {
    for (const std::string& member : members.entity_types()) {
      for (const std::string& group : groups.entity_types()) {
        if (schema_.may_be_in(member, group) || schema_.action_may_be_in(member, group)) {
          return true;
        }
      }
    }
    return false;
  }

  // An entity literal, or the `action` variable standing for the environment's action.
  const Expr* literal_uid(const Expr& e) const {
    if (e.kind == ExprKind::kEntity) return &e;
    if (e.kind == ExprKind::kVar && e.var == ast::Var::kAction) return &e;
    return nullptr;
  }

  bool literal_uids(const Expr& e, std::vector<const Expr*>& out) const {
    if (const Expr* uid = literal_uid(e)) {
      out.push_back(uid);
      return true;
    }
    if (e.kind != ExprKind::kSet) return false;
    for (const ast::ExprPtr& element : e.children) {
      const Expr* uid = literal_uid(*element);
      if (uid == nullptr) return false;
      out.push_back(uid);
    }
    return true;
  }

  std::string_view uid_type(const Expr& uid) const {
    return uid.kind == ExprKind::kVar ? std::string_view(env_.action->type)
                                      : std::string_view(uid.entity.type);
  }
  std::string_view uid_id(const Expr& uid) const {
    return uid.kind == ExprKind::kVar ? std::string_view(env_.action->id)
                                      : std::string_view(uid.entity.id);
  }

  const Expr* literal_or_action(const Expr& e) const {
    if (is_literal(e)) return &e;
    return literal_uid(e);
  }

  bool literals_equal(const Expr& a, const Expr& b) const {
    bool a_uid = a.kind == ExprKind::kEntity || a.kind == ExprKind::kVar;
    bool b_uid = b.kind == ExprKind::kEntity || b.kind == ExprKind::kVar;
    if (a_uid || b_uid) {
      return a_uid && b_uid && uid_type(a) == uid_type(b) && uid_id(a) == uid_id(b);
    }
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case ExprKind::kBool: return a.bool_value == b.bool_value;
      case ExprKind::kLong: return a.long_value == b.long_value;
      case ExprKind::kString: return a.text == b.text;
      default: return false;
    }
  }

  // ---- tags ---------------------------------------------------------------------------

  // The tag types the entity types of `type` declare (duplicates removed).
  std::vector<Type> tag_types(const Type& type) const {
    std::vector<Type> out;
    auto add = [&out](const EntityTypeInfo& info) {
      if (!info.tags) return;
      for (const Type& seen : out) {
        if (seen == *info.tags) return;
      }
      out.push_back(*info.tags);
    };
    if (type.is(Type::Kind::kAnyEntity)) {
      for (const EntityTypeInfo& info : schema_.entity_types())
        add(info);
    } else if (type.is(Type::Kind::kEntity)) {
      for (const std::string& name : type.entity_types()) {
        if (const EntityTypeInfo* info = schema_.find_entity_type(name)) add(*info);
      }
    }
    return out;
  }

  Answer check_has_tag(const CapabilitySet& prior, const Expr& left, const Expr& right) {
    return then(expect(prior, left, Type::any_entity()), [&](MaybeType target, CapabilitySet) {
      return then(expect(prior, right, Type::string_type()), [&](MaybeType, CapabilitySet) {
        if (!target || !is_some_entity(*target)) return failure(std::nullopt);
        Capability capability = Capability::tag_of(left, right);
        Type result = tag_types(*target).empty()   ? Type::singleton(false)
                      : prior.contains(capability) ? Type::singleton(true)
                                                   : Type::boolean();
        return success(std::move(result), CapabilitySet(std::move(capability)));
      });
    });
  }

  Answer check_get_tag(const CapabilitySet& prior, const Expr& e, const Expr& left,
                       const Expr& right) {
    return then(expect(prior, left, Type::any_entity()), [&](MaybeType target, CapabilitySet) {
      return then(expect(prior, right, Type::string_type()), [&](MaybeType, CapabilitySet) {
        if (!target || !is_some_entity(*target)) return failure(std::nullopt);
        if (!prior.contains(Capability::tag_of(left, right))) {
          std::string on = target->is(Type::Kind::kEntity) && target->single_entity() != nullptr
                               ? " on entity type `" + *target->single_entity() + "`"
                               : "";
          report(ValidationErrorKind::kUnsafeTagAccess, start_of(e),
                 "unable to guarantee safety of access to tag `" + ast::to_string(right) + "`" +
                     on + "; try testing for the tag's presence with `.hasTag(" +
                     ast::to_string(right) + ") && ..`");
          return failure(std::nullopt);
        }
        std::vector<Type> tags = tag_types(*target);
        if (tags.empty()) {
          const std::string* single = target->single_entity();
          report(ValidationErrorKind::kNoTagsAllowed, start_of(e),
                 "`.getTag()` is not allowed on entities of " +
                     (single != nullptr ? "type `" + *single + "`" : std::string("this type")) +
                     " because no `tags` were declared on the entity type in the schema");
          return failure(std::nullopt);
        }
        std::vector<MaybeType> candidates(tags.begin(), tags.end());
        std::optional<Type> lub = lub_or_report(start_of(e), candidates, LubContext::kGetTag);
        if (!lub) return failure(std::nullopt);
        return success(std::move(lub));
      });
    });
  }

  // ---- attributes ---------------------------------------------------------------------

  Answer check_get_attr(const CapabilitySet& prior, const Expr& e) {
    static const Type kTargets[] = {Type::any_entity(), Type::any_record()};
    const Expr& target = *e.children[0];
    return then(expect(prior, target, kTargets), [&](MaybeType target_type, CapabilitySet) {
      if (!target_type) return failure(std::nullopt);
      std::optional<AttributeType> attribute = schema_.attribute(*target_type, e.text);
      if (!attribute) {
        report(ValidationErrorKind::kUnsafeAttributeAccess, start_of(e),
               "attribute " + describe_access(target, *target_type, e.text) + " not found");
        return failure(std::nullopt);
      }
      // An optional attribute is safe only where a `has` test proved it present.
      if (attribute->required || prior.contains(Capability::attribute_of(target, e.text))) {
        return success(*attribute->type);
      }
      report(ValidationErrorKind::kUnsafeOptionalAttributeAccess, start_of(e),
             "unable to guarantee safety of access to optional attribute " +
                 describe_access(target, *target_type, e.text));
      return failure(*attribute->type);
    });
  }

  Answer check_has_attr(const CapabilitySet& prior, const Expr& e) {
    static const Type kTargets[] = {Type::any_entity(), Type::any_record()};
    const Expr& target = *e.children[0];
    HelpFor help = [](const Type& actual) {
      if (actual.is(Type::Kind::kSet)) return Help::kTryUsingContains;
      if (actual.is(Type::Kind::kString)) return Help::kTryUsingLike;
      return Help::kNone;
    };
    return then(expect(prior, target, kTargets, help), [&](MaybeType target_type, CapabilitySet) {
      if (!target_type) return failure(Type::boolean());
      std::optional<AttributeType> attribute = schema_.attribute(*target_type, e.text);
      if (!attribute) {
        // Known absent: always false; otherwise the validator cannot tell.
        return success(schema_.may_have_attribute(*target_type, e.text) ? Type::boolean()
                                                                        : Type::singleton(false));
      }
      Capability capability = Capability::attribute_of(target, e.text);
      bool proven = prior.contains(capability);
      // A required attribute of a record is always there; an entity's may be missing
      // because the entity itself may not exist.
      bool always = proven || (attribute->required && target_type->is(Type::Kind::kRecord));
      return success(always ? Type::singleton(true) : Type::boolean(),
                     CapabilitySet(std::move(capability)));
    });
  }

  // The attribute access as the reference describes it: the path of attributes from the
  // nearest entity (or `context`) to the one that failed.
  std::string describe_access(const Expr& target, const Type& target_type,
                              const std::string& attribute) const {
    std::vector<std::string> path{attribute};
    // Types of the nested accesses below `target`, computed from the innermost base.
    std::vector<const Expr*> chain;
    const Expr* base = &target;
    while (base->kind == ExprKind::kGetAttr) {
      chain.push_back(base);
      base = base->children[0].get();
    }
    std::vector<MaybeType> chain_types(chain.size());
    MaybeType current = static_type(*base);
    for (std::size_t i = chain.size(); i-- > 0;) {
      if (current) {
        std::optional<AttributeType> a = schema_.attribute(*current, chain[i]->text);
        current = a ? MaybeType(*a->type) : std::nullopt;
      }
      chain_types[i] = current;
    }
    const Expr* node = &target;
    MaybeType node_type = target_type;
    for (std::size_t depth = 0;; ++depth) {
      if (node_type && node_type->is(Type::Kind::kEntity)) {
        return attribute_access_on_entity(path, *node_type);
      }
      if (node->kind == ExprKind::kVar && node->var == ast::Var::kContext) {
        return attribute_access_in_context(path, env_.action->display());
      }
      if (node->kind != ExprKind::kGetAttr) return attribute_access(path);
      path.push_back(node->text);
      node = node->children[0].get();
      node_type = depth + 1 < chain.size() ? chain_types[depth + 1] : static_type(*base);
    }
  }

  // The type of a leaf whose type does not depend on typechecking anything else.
  MaybeType static_type(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kVar: return variable_type(e.var);
      case ExprKind::kSlot: return slot_type(e.slot);
      case ExprKind::kEntity: return literal_entity_type(e.entity.type, e.entity.id);
      default: return std::nullopt;
    }
  }

  // ---- other forms --------------------------------------------------------------------

  Answer check_like(const CapabilitySet& prior, const Expr& e) {
    HelpFor help = [](const Type& actual) {
      return is_some_entity(actual) ? Help::kTryUsingIs : Help::kNone;
    };
    return then(expect(prior, *e.children[0], Type::string_type(), help),
                [](MaybeType, CapabilitySet) { return success(Type::boolean()); });
  }

  Answer check_is(const CapabilitySet& prior, const Expr& e) {
    if (e.children.size() == 2) {
      // `e is T in x` outside core_expr.cc's rewriting: `e is T && e in x`.
      return then(check_is_type(prior, e), [&](MaybeType is_type, CapabilitySet) {
        if (is_false(is_type)) return success(std::move(is_type));
        return then(check_in(prior, *e.children[0], *e.children[1]),
                    [&](MaybeType in_type, CapabilitySet) {
                      if (!is_type || !in_type) return failure(Type::boolean());
                      if (is_false(in_type)) return success(std::move(in_type));
                      if (is_true(is_type)) return success(std::move(in_type));
                      if (is_true(in_type)) return success(std::move(is_type));
                      return success(Type::boolean());
                    });
      });
    }
    return check_is_type(prior, e);
  }

  Answer check_is_type(const CapabilitySet& prior, const Expr& e) {
    return then(expect(prior, *e.children[0], Type::any_entity(),
                       [](const Type&) { return Help::kTypeTestNotSupported; }),
                [&](MaybeType t, CapabilitySet) {
                  if (t && t->is(Type::Kind::kAnyEntity)) return success(Type::boolean());
                  if (!t || !t->is(Type::Kind::kEntity)) return failure(Type::boolean());
                  const std::vector<std::string>& names = t->entity_types();
                  if (std::find(names.begin(), names.end(), e.text) == names.end()) {
                    return success(Type::singleton(false));
                  }
                  if (names.size() == 1) return success(Type::singleton(true));
                  return success(Type::boolean());
                });
  }

  Answer check_set(const CapabilitySet& prior, const Expr& e) {
    bool any_failed = false;
    std::vector<MaybeType> element_types;
    element_types.reserve(e.children.size());
    for (const ast::ExprPtr& element : e.children) {
      Answer answer = check(prior, *element);
      any_failed = any_failed || !answer.ok;
      element_types.push_back(std::move(answer.type));
    }
    std::optional<Type> lub = lub_or_report(start_of(e), element_types, LubContext::kSet);
    Answer out;
    if (e.children.empty()) {
      // Strict mode: `[]` has no element type to check uses against.
      report(ValidationErrorKind::kEmptySetForbidden, start_of(e),
             "empty set literals are forbidden in policies");
      out = failure(std::nullopt);
    } else if (lub) {
      out = success(Type::set(std::move(*lub)));
    } else {
      out = failure(std::nullopt);
    }
    if (any_failed) out = failure(std::move(out.type));
    return out;
  }

  Answer check_record(const CapabilitySet& prior, const Expr& e) {
    bool any_failed = false;
    bool all_typed = true;
    Attributes attributes;
    for (std::size_t i = 0; i < e.children.size(); ++i) {
      Answer answer = check(prior, *e.children[i]);
      any_failed = any_failed || !answer.ok;
      if (!answer.type) {
        all_typed = false;
        continue;
      }
      attributes.insert_or_assign(
          e.keys[i], AttributeType{std::make_shared<const Type>(std::move(*answer.type)), true});
    }
    Answer out = all_typed ? success(Type::record(std::move(attributes))) : failure(std::nullopt);
    if (any_failed) out = failure(std::move(out.type));
    return out;
  }

  Answer check_call(const CapabilitySet& prior, const Expr& e) {
    const ExtensionFunctionType* function = find_extension_function_type(e.text);
    if (function == nullptr) {
      report(ValidationErrorKind::kUndefinedFunction, start_of(e),
             "undefined extension function: " + e.text);
      for (const ast::ExprPtr& argument : e.children)
        check(prior, *argument);
      return failure(std::nullopt);
    }
    bool failed = false;
    if (e.children.size() != function->arguments.size()) {
      report(ValidationErrorKind::kWrongNumberArguments, start_of(e),
             "wrong number of arguments in extension function application. Expected " +
                 std::to_string(function->arguments.size()) + ", got " +
                 std::to_string(e.children.size()));
      failed = true;
    }
    if (std::optional<std::string> problem = check_constructor_arguments(*function, e.children)) {
      report(ValidationErrorKind::kFunctionArgumentValidation, start_of(e),
             "error during extension function argument validation: " + *problem);
      failed = true;
    }
    if (function->is_constructor) {
      bool all_literal = true;
      for (const ast::ExprPtr& argument : e.children)
        all_literal = all_literal && is_literal(*argument);
      if (!all_literal) {
        report(ValidationErrorKind::kNonLitExtConstructor, start_of(e),
               "extension constructors may not be called with non-literal expressions");
        failed = true;
      }
    }
    if (failed) {
      for (const ast::ExprPtr& argument : e.children)
        check(prior, *argument);
      return failure(function->result);
    }
    bool any_failed = false;
    for (std::size_t i = 0; i < e.children.size(); ++i) {
      any_failed = !expect(prior, *e.children[i], function->arguments[i]).ok || any_failed;
    }
    return any_failed ? failure(function->result) : success(function->result);
  }

  // ---- least upper bounds and errors --------------------------------------------------

  // The least upper bound of all `types` (Never for none); nullopt without a message when
  // one of them is unknown (its error was reported), with a message when they conflict.
  std::optional<Type> lub_or_report(SourceLoc loc, const std::vector<MaybeType>& types,
                                    LubContext context) {
    std::vector<Type> known;
    known.reserve(types.size());
    for (const MaybeType& t : types) {
      if (!t) return std::nullopt;
      known.push_back(*t);
    }
    Type lub = Type::never();
    for (const Type& t : known) {
      LubFailure why = LubFailure::kNone;
      std::optional<Type> next = least_upper_bound(lub, t, Mode::kStrict, &why);
      if (!next) {
        report_incompatible(loc, known, why, context);
        return std::nullopt;
      }
      lub = std::move(*next);
    }
    return lub;
  }

  void report(ValidationErrorKind kind, SourceLoc loc, std::string detail) {
    ValidationError error;
    error.kind = kind;
    error.policy_id = policy_.id;
    error.source = policy_.source;
    error.loc = loc.line != 0 ? loc : policy_.loc;
    error.message = "for policy `" + policy_.id + "`, " + std::move(detail);
    errors_.push_back(std::move(error));
  }

  void report_unexpected(SourceLoc loc, std::span<const Type> expected, const Type& actual,
                         Help help = Help::kNone) {
    report(ValidationErrorKind::kUnexpectedType, loc,
           unexpected_type_message(expected, actual, help));
  }

  void report_unexpected(SourceLoc loc, const std::vector<Type>& expected, const Type& actual) {
    report_unexpected(loc, std::span<const Type>(expected), actual);
  }

  void report_incompatible(SourceLoc loc, const std::vector<Type>& types, LubFailure why,
                           LubContext context) {
    report(ValidationErrorKind::kIncompatibleTypes, loc,
           incompatible_types_message(types, why, context));
  }

  const ValidatorSchema& schema_;
  const RequestEnv& env_;
  const ast::Policy& policy_;
  std::vector<ValidationError>& errors_;
};

}  // namespace

EnvCheck typecheck_in_env(const ValidatorSchema& schema, const RequestEnv& env,
                          const ast::Policy& policy, const ast::Expr& condition) {
  EnvCheck result;
  EnvTypechecker checker(schema, env, policy, result.errors);
  Answer answer = checker.expect(CapabilitySet{}, condition, Type::boolean());
  if (is_false(answer.type)) {
    result.outcome = EnvOutcome::kAlwaysFalse;
  } else {
    result.outcome = answer.ok ? EnvOutcome::kBoolean : EnvOutcome::kTypeError;
  }
  return result;
}

}  // namespace crossgate::cedar::validator
