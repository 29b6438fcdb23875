// Typechecks a policy's condition (core_expr.h) in one request environment, in strict
// mode, as Cedar's reference validator does.
//
// The outcome per environment is one of: it typechecks to Bool; it typechecks to the
// singleton False (the policy cannot apply in this environment, e.g. its scope names
// another principal type; its conditions are then not examined); or it has type errors.
// A policy fails validation when any environment has errors.
#pragma once

#include <cstdint>
#include <vector>

#include "policy/cedar/ast/expr.h"
#include "policy/cedar/ast/policy.h"
#include "policy/cedar/validator/request_envs.h"
#include "policy/cedar/validator/validation_error.h"
#include "policy/cedar/validator/validator_schema.h"

namespace crossgate::cedar::validator {

enum class EnvOutcome : std::uint8_t {
  kBoolean,      // typechecks; may be true or false
  kAlwaysFalse,  // the type is False (errors may still have been found)
  kTypeError,
};

struct EnvCheck {
  EnvOutcome outcome = EnvOutcome::kTypeError;
  std::vector<ValidationError> errors;
};

// `condition` is policy_condition(policy); `policy` names the errors (id and source).
EnvCheck typecheck_in_env(const ValidatorSchema& schema, const RequestEnv& env,
                          const ast::Policy& policy, const ast::Expr& condition);

}  // namespace crossgate::cedar::validator
