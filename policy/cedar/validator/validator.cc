// Runs the per-policy checks and the typechecker over every request environment, and
// gathers what they find (validator.h).
#include "policy/cedar/validator/validator.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "policy/cedar/validator/core_expr.h"
#include "policy/cedar/validator/policy_checks.h"
#include "policy/cedar/validator/typechecker.h"

namespace crossgate::cedar::validator {

namespace {

bool by_position(const ValidationError& a, const ValidationError& b) {
  return std::tie(a.loc.line, a.loc.column, a.kind, a.message) <
         std::tie(b.loc.line, b.loc.column, b.kind, b.message);
}

// A link's principal or resource scope as the template's, with the slot bound.
ast::ScopeConstraint linked_scope(const ast::ScopeConstraint& declared, const CompiledScope& link) {
  ast::ScopeConstraint scope = declared;
  if (scope.target.is_slot && link.target != nullptr) {
    scope.target.is_slot = false;
    scope.target.entity =
        ast::EntityRef{std::string(link.target->type), std::string(link.target->id)};
  }
  return scope;
}

}  // namespace

Validator::Validator(const Schema& schema) : schema_(schema), envs_(request_envs(schema_)) {}

void Validator::validate_policy(const ast::Policy& policy, ValidationResult& result) const {
  std::vector<ValidationError> references = check_references(schema_, policy);
  result.errors.insert(result.errors.end(), std::make_move_iterator(references.begin()),
                       std::make_move_iterator(references.end()));
  if (std::optional<ValidationError> application =
          check_action_application(schema_, policy, policy.principal, policy.resource, policy.id)) {
    result.errors.push_back(std::move(*application));
  }

  ast::ExprPtr condition = policy_condition(policy);
  std::vector<ValidationError> type_errors;
  bool always_false = true;
  for (const RequestEnv& env : envs_) {
    for (const RequestEnv& linked : link_slots(schema_, env, policy)) {
      EnvCheck check = typecheck_in_env(schema_, linked, policy, *condition);
      always_false = always_false && check.outcome == EnvOutcome::kAlwaysFalse;
      type_errors.insert(type_errors.end(), std::make_move_iterator(check.errors.begin()),
                         std::make_move_iterator(check.errors.end()));
    }
  }
  std::sort(type_errors.begin(), type_errors.end(), by_position);
  type_errors.erase(std::unique(type_errors.begin(), type_errors.end()), type_errors.end());
  result.errors.insert(result.errors.end(), std::make_move_iterator(type_errors.begin()),
                       std::make_move_iterator(type_errors.end()));

  if (always_false) {
    ValidationError warning;
    warning.kind = ValidationErrorKind::kImpossiblePolicy;
    warning.policy_id = policy.id;
    warning.source = policy.source;
    warning.loc = policy.loc;
    warning.message = "for policy `" + policy.id +
                      "`, policy is impossible: the policy expression evaluates to false for all "
                      "valid requests";
    result.warnings.push_back(std::move(warning));
  }
}

ValidationResult Validator::validate(std::span<const ast::Policy> policies) const {
  ValidationResult result;
  for (const ast::Policy& policy : policies)
    validate_policy(policy, result);
  return result;
}

ValidationResult Validator::validate(const PolicySet& policies) const {
  ValidationResult result;
  std::set<const ast::Policy*> templates_done;
  for (std::uint32_t i = 0; i < policies.size(); ++i) {
    const CompiledPolicy& policy = policies.at(i);
    if (policy.source == nullptr) continue;
    if (policy.template_id.empty()) {
      validate_policy(*policy.source, result);
      continue;
    }
    if (templates_done.insert(policy.source).second) validate_policy(*policy.source, result);
    ast::ScopeConstraint principal = linked_scope(policy.source->principal, policy.principal);
    ast::ScopeConstraint resource = linked_scope(policy.source->resource, policy.resource);
    std::vector<ValidationError> link_errors =
        check_link_entities(schema_, *policy.source, principal, resource, policy.id);
    result.errors.insert(result.errors.end(), std::make_move_iterator(link_errors.begin()),
                         std::make_move_iterator(link_errors.end()));
    if (std::optional<ValidationError> application =
            check_action_application(schema_, *policy.source, principal, resource, policy.id)) {
      result.errors.push_back(std::move(*application));
    }
  }
  return result;
}

ValidationResult validate(const Schema& schema, std::span<const ast::Policy> policies) {
  return Validator(schema).validate(policies);
}

ValidationResult validate(const Schema& schema, const PolicySet& policies) {
  return Validator(schema).validate(policies);
}

}  // namespace crossgate::cedar::validator
