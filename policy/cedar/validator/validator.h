// Cedar's policy validator: checks policies and templates against a schema in strict
// mode, as the reference validator (Cedar 4.10) does, so that a bundle that would fail
// `cedar validate` is refused before it is deployed.
//
// Each policy is checked for undeclared entity types, actions and enum values, for a
// scope that no declared action can apply to, and is typechecked in every request
// environment the schema allows (request_envs.h): attribute accesses must be declared and,
// when optional, guarded by `has`; tag accesses guarded by `hasTag`; operands must have
// the types their operators take; sets, `if` branches and `==` operands must have
// compatible types; extension constructors must be called on valid literals.
//
//   validator::Validator validator(schema);
//   validator::ValidationResult result = validator.validate(policies);
//   for (const auto& e : result.errors) std::cerr << e.to_string() << "\n";
//
// Validation runs when a bundle is loaded and in CI, not per request; a Validator may be
// reused for many policy sets against the same schema, from several threads.
#pragma once

#include <span>
#include <vector>

#include "policy/cedar/ast/policy.h"
#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/validator/request_envs.h"
#include "policy/cedar/validator/validation_error.h"
#include "policy/cedar/validator/validator_schema.h"

namespace crossgate::cedar::validator {

struct ValidationResult {
  // In policy order; within a policy: references, action application, then type errors
  // by position. The same error found in several request environments is listed once.
  std::vector<ValidationError> errors;
  // ImpossiblePolicy: the policy is false in every request environment (or the schema has
  // none), so it can never apply. The reference reports this as a warning.
  std::vector<ValidationError> warnings;

  bool passed() const { return errors.empty(); }
};

class Validator {
 public:
  // `schema` must outlive the validator.
  explicit Validator(const Schema& schema);
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;
  Validator(Validator&&) noexcept = default;
  Validator& operator=(Validator&&) noexcept = default;

  // Static policies and templates, as the parser returns them.
  ValidationResult validate(std::span<const ast::Policy> policies) const;

  // Every static policy of the set, every template that has links, and every link (the
  // entity types bound to its slots, and whether its scope can apply to an action).
  // Templates without links cannot be reached through PolicySet's interface; validate
  // them from their ast::Policy with the overload above.
  ValidationResult validate(const PolicySet& policies) const;

  // One policy or template; appends to `result`.
  void validate_policy(const ast::Policy& policy, ValidationResult& result) const;

 private:
  ValidatorSchema schema_;
  std::vector<RequestEnv> envs_;
};

// One-shot conveniences.
ValidationResult validate(const Schema& schema, std::span<const ast::Policy> policies);
ValidationResult validate(const Schema& schema, const PolicySet& policies);

}  // namespace crossgate::cedar::validator
