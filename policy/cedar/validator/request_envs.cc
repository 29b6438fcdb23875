// Enumerates request environments and the slot types of templates (request_envs.h).
#include "policy/cedar/validator/request_envs.h"

namespace crossgate::cedar::validator {

namespace {

// The entity types a slot may be linked to, given the scope constraint it appears in and
// the type of the scope variable: linking it to anything else makes the scope false.
std::vector<std::optional<std::string>> slot_types(const ValidatorSchema& schema,
                                                   const ast::ScopeConstraint& scope,
                                                   const std::string& variable_type) {
  std::vector<std::optional<std::string>> out;
  switch (scope.kind) {
    case ast::ScopeConstraint::Kind::kEq: out.emplace_back(variable_type); break;
    case ast::ScopeConstraint::Kind::kIn:
    case ast::ScopeConstraint::Kind::kIsIn:
      // `var in ?slot`: the slot is the variable's own type or one of its ancestors. (The
      // `is` part constrains the variable, not the slot.)
      for (const EntityTypeInfo& type : schema.entity_types()) {
        if (type.has_descendant(variable_type)) out.emplace_back(type.name);
      }
      out.emplace_back(variable_type);
      break;
    case ast::ScopeConstraint::Kind::kIs:
    case ast::ScopeConstraint::Kind::kAny:
      // Slots only appear in `==` and `in` constraints today; anything is possible here.
      for (const EntityTypeInfo& type : schema.entity_types())
        out.emplace_back(type.name);
      break;
  }
  return out;
}

}  // namespace

std::vector<RequestEnv> request_envs(const ValidatorSchema& schema) {
  std::vector<RequestEnv> out;
  for (const ActionInfo& action : schema.actions()) {
    for (const std::string& principal : action.principal_types) {
      for (const std::string& resource : action.resource_types) {
        RequestEnv env;
        env.principal = &principal;
        env.action = &action;
        env.resource = &resource;
        out.push_back(std::move(env));
      }
    }
  }
  return out;
}

std::vector<RequestEnv> link_slots(const ValidatorSchema& schema, const RequestEnv& env,
                                   const ast::Policy& policy) {
  std::vector<std::optional<std::string>> principals{std::nullopt};
  std::vector<std::optional<std::string>> resources{std::nullopt};
  if (policy.uses_slot(ast::SlotId::kPrincipal))
    principals = slot_types(schema, policy.principal, *env.principal);
  if (policy.uses_slot(ast::SlotId::kResource))
    resources = slot_types(schema, policy.resource, *env.resource);
  std::vector<RequestEnv> out;
  out.reserve(principals.size() * resources.size());
  for (const std::optional<std::string>& principal : principals) {
    for (const std::optional<std::string>& resource : resources) {
      RequestEnv linked = env;
      linked.principal_slot = principal;
      linked.resource_slot = resource;
      out.push_back(std::move(linked));
    }
  }
  return out;
}

}  // namespace crossgate::cedar::validator
