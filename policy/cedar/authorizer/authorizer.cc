#include "policy/cedar/authorizer/authorizer.h"

#include "policy/cedar/evaluator/evaluator.h"

namespace crossgate::cedar {
namespace {

// The scope checks cannot fail (the request's variables are always entities), so a
// policy whose scope does not match is simply not satisfied, never an error.
bool scope_matches(const CompiledScope& scope, const EntityUid& uid, const Entity* entity,
                   const Entities& entities) {
  using Kind = ast::ScopeConstraint::Kind;
  switch (scope.kind) {
    case Kind::kAny: return true;
    case Kind::kEq: return uid == *scope.target;
    case Kind::kIn: return entities.is_in(entity, uid, *scope.target);
    case Kind::kIs: return uid.type == scope.entity_type;
    case Kind::kIsIn:
      return uid.type == scope.entity_type && entities.is_in(entity, uid, *scope.target);
  }
  return false;
}

bool action_matches(const CompiledActionScope& scope, const EntityUid& uid, const Entity* entity,
                    const Entities& entities) {
  using Kind = ast::ActionConstraint::Kind;
  switch (scope.kind) {
    case Kind::kAny: return true;
    case Kind::kEq: return uid == *scope.targets[0];
    case Kind::kIn:
      for (const EntityUid* target : scope.targets) {
        if (entities.is_in(entity, uid, *target)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace

void Authorizer::authorize(const PolicySet& policies, const Request& request,
                           const Entities& entities, Response& out) {
  out.clear();
  scratch_.reset();
  candidates_.clear();
  forbids_.clear();
  permits_.clear();
  Evaluator evaluator(request, entities, scratch_);
  policies.index().candidates(request, entities, evaluator.principal_entity(),
                              evaluator.action_entity(), evaluator.resource_entity(), bits_,
                              candidates_);
  for (std::uint32_t position : candidates_) {
    const CompiledPolicy& policy = policies.at(position);
    if (!scope_matches(policy.principal, request.principal, evaluator.principal_entity(),
                       entities) ||
        !action_matches(policy.action, request.action, evaluator.action_entity(), entities) ||
        !scope_matches(policy.resource, request.resource, evaluator.resource_entity(), entities)) {
      continue;
    }
    bool satisfied = true;
    if (policy.condition != nullptr && !evaluator.evaluate_bool(*policy.condition, satisfied)) {
      out.errors.push_back(PolicyError{position, evaluator.error().message()});
      continue;
    }
    if (satisfied) {
      (policy.effect == ast::Effect::kForbid ? forbids_ : permits_).push_back(position);
    }
  }
  if (forbids_.empty() && !permits_.empty()) {
    out.decision = Decision::kAllow;
    out.determining.assign(permits_.begin(), permits_.end());
  } else {
    out.decision = Decision::kDeny;
    out.determining.assign(forbids_.begin(), forbids_.end());
  }
}

}  // namespace crossgate::cedar
