// The reference and action application checks of a policy (policy_checks.h).
#include "policy/cedar/validator/policy_checks.h"

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <utility>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

// An entity reference found in a policy, with where it was written.
struct FoundUid {
  const ast::EntityRef* uid;
  SourceLoc loc;
};

struct FoundType {
  const std::string* type;
  SourceLoc loc;
};

std::string uid_text(const ast::EntityRef& uid) {
  return to_string(EntityUid::view(uid.type, uid.id));
}

void collect_scope(const ast::ScopeConstraint& scope, std::vector<FoundUid>& uids,
                   std::vector<FoundType>& types) {
  using Kind = ast::ScopeConstraint::Kind;
  if (scope.kind == Kind::kIs || scope.kind == Kind::kIsIn)
    types.push_back({&scope.entity_type, scope.loc});
  if ((scope.kind == Kind::kEq || scope.kind == Kind::kIn || scope.kind == Kind::kIsIn) &&
      !scope.target.is_slot) {
    uids.push_back({&scope.target.entity, scope.loc});
    types.push_back({&scope.target.entity.type, scope.loc});
  }
}

void collect_expr(const ast::Expr& e, std::vector<FoundUid>& uids, std::vector<FoundType>& types) {
  if (e.kind == ast::ExprKind::kEntity) {
    uids.push_back({&e.entity, e.loc});
    types.push_back({&e.entity.type, e.loc});
  } else if (e.kind == ast::ExprKind::kIs) {
    types.push_back({&e.text, e.loc});
  }
  for (const ast::ExprPtr& child : e.children)
    collect_expr(*child, uids, types);
}

ValidationError make_error(ValidationErrorKind kind, const ast::Policy& policy, std::string_view id,
                           SourceLoc loc, const std::string& detail) {
  ValidationError error;
  error.kind = kind;
  error.policy_id = std::string(id);
  error.source = policy.source;
  error.loc = loc.line != 0 ? loc : policy.loc;
  error.message = "for policy `" + std::string(id) + "`" + detail;
  return error;
}

// The entity types a principal or resource scope allows, as a sorted set. `any` stands
// for every declared entity type.
std::set<std::string> types_satisfying(const ValidatorSchema& schema,
                                       const ast::ScopeConstraint& scope) {
  using Kind = ast::ScopeConstraint::Kind;
  std::set<std::string> out;
  auto all = [&] {
    for (const EntityTypeInfo& info : schema.entity_types())
      out.insert(info.name);
  };
  auto in = [&](const std::string& group) {
    out.insert(group);
    if (const EntityTypeInfo* info = schema.find_entity_type(group))
      out.insert(info->descendants.begin(), info->descendants.end());
  };
  switch (scope.kind) {
    case Kind::kAny: all(); break;
    case Kind::kEq:
      if (scope.target.is_slot) {
        all();
      } else {
        out.insert(scope.target.entity.type);
      }
      break;
    case Kind::kIn:
      if (scope.target.is_slot) {
        all();
      } else {
        in(scope.target.entity.type);
      }
      break;
    case Kind::kIs:
      if (schema.is_known_entity_type(scope.entity_type)) out.insert(scope.entity_type);
      break;
    case Kind::kIsIn:
      if (scope.target.is_slot) {
        if (schema.is_known_entity_type(scope.entity_type)) out.insert(scope.entity_type);
      } else {
        in(scope.target.entity.type);
        std::set<std::string> only;
        if (out.contains(scope.entity_type)) only.insert(scope.entity_type);
        out = std::move(only);
      }
      break;
  }
  return out;
}

// The actions the action scope allows (declared ones only).
std::vector<const ActionInfo*> actions_satisfying(const ValidatorSchema& schema,
                                                  const ast::ActionConstraint& action) {
  std::vector<const ActionInfo*> out;
  switch (action.kind) {
    case ast::ActionConstraint::Kind::kAny:
      for (const ActionInfo& info : schema.actions())
        out.push_back(&info);
      break;
    case ast::ActionConstraint::Kind::kEq:
      if (const ActionInfo* info =
              schema.find_action(action.entities.front().type, action.entities.front().id)) {
        out.push_back(info);
      }
      break;
    case ast::ActionConstraint::Kind::kIn: {
      std::vector<std::pair<std::string_view, std::string_view>> groups;
      for (const ast::EntityRef& ref : action.entities)
        groups.emplace_back(ref.type, ref.id);
      // With an undeclared group the constraint matches nothing known.
      if (std::optional<std::vector<std::size_t>> members = schema.actions_in(groups)) {
        for (std::size_t m : *members)
          out.push_back(&schema.actions()[m]);
      }
      break;
    }
  }
  return out;
}

bool intersects(const std::set<std::string>& allowed, const std::vector<std::string>& types) {
  return std::any_of(types.begin(), types.end(),
                     [&](const std::string& t) { return allowed.contains(t); });
}

// For the help text: would `in` instead of `==` let the scope match? That is, the type
// `==` names applies to no allowed action, but one of its descendant types does.
bool in_would_fix(const ValidatorSchema& schema, const ast::ScopeConstraint& scope,
                  const std::vector<const ActionInfo*>& actions,
                  const std::vector<std::string> ActionInfo::*applies_to) {
  if (scope.kind != ast::ScopeConstraint::Kind::kEq || scope.target.is_slot) return false;
  const std::string& type = scope.target.entity.type;
  for (const ActionInfo* action : actions) {
    const std::vector<std::string>& types = action->*applies_to;
    if (std::find(types.begin(), types.end(), type) != types.end()) return false;
  }
  const EntityTypeInfo* info = schema.find_entity_type(type);
  if (info == nullptr) return false;
  for (const ActionInfo* action : actions) {
    for (const std::string& t : action->*applies_to) {
      if (info->has_descendant(t)) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<ValidationError> check_references(const ValidatorSchema& schema,
                                              const ast::Policy& policy) {
  std::vector<FoundUid> uids;
  std::vector<FoundType> types;
  collect_scope(policy.principal, uids, types);
  for (const ast::EntityRef& ref : policy.action.entities) {
    uids.push_back({&ref, policy.action.loc});
    types.push_back({&ref.type, policy.action.loc});
  }
  collect_scope(policy.resource, uids, types);
  for (const ast::Condition& condition : policy.conditions)
    collect_expr(*condition.body, uids, types);

  std::vector<ValidationError> errors;
  for (const FoundType& found : types) {
    if (schema.is_known_entity_type(*found.type)) continue;
    errors.push_back(make_error(ValidationErrorKind::kUnrecognizedEntityType, policy, policy.id,
                                found.loc, ", unrecognized entity type `" + *found.type + "`"));
  }
  for (const FoundUid& found : uids) {
    if (is_action_entity_type(found.uid->type)) continue;
    const EntityTypeInfo* info = schema.find_entity_type(found.uid->type);
    if (info == nullptr || info->enum_ids == nullptr) continue;
    const std::vector<std::string>& ids = *info->enum_ids;
    if (std::find(ids.begin(), ids.end(), found.uid->id) != ids.end()) continue;
    errors.push_back(make_error(
        ValidationErrorKind::kInvalidEnumEntity, policy, policy.id, found.loc,
        ": entity `" + uid_text(*found.uid) + "` is of an enumerated entity type, but `" +
            quote(found.uid->id) + "` is not declared as a valid eid"));
  }
  for (const FoundUid& found : uids) {
    if (!is_action_entity_type(found.uid->type)) continue;
    if (schema.find_action(found.uid->type, found.uid->id) != nullptr) continue;
    errors.push_back(make_error(ValidationErrorKind::kUnrecognizedActionId, policy, policy.id,
                                found.loc, ", unrecognized action `" + uid_text(*found.uid) + "`"));
  }
  return errors;
}

std::optional<ValidationError> check_action_application(const ValidatorSchema& schema,
                                                        const ast::Policy& policy,
                                                        const ast::ScopeConstraint& principal,
                                                        const ast::ScopeConstraint& resource,
                                                        std::string_view id) {
  std::vector<const ActionInfo*> actions = actions_satisfying(schema, policy.action);
  std::set<std::string> principals = types_satisfying(schema, principal);
  std::set<std::string> resources = types_satisfying(schema, resource);
  for (const ActionInfo* action : actions) {
    if (intersects(principals, action->principal_types) &&
        intersects(resources, action->resource_types)) {
      return std::nullopt;
    }
  }
  std::string detail = ", unable to find an applicable action given the policy scope constraints";
  bool fix_principal = in_would_fix(schema, principal, actions, &ActionInfo::principal_types);
  bool fix_resource = in_would_fix(schema, resource, actions, &ActionInfo::resource_types);
  if (fix_principal && fix_resource) {
    detail += "; try replacing `==` with `in` in the principal clause and the resource clause";
  } else if (fix_principal) {
    detail += "; try replacing `==` with `in` in the principal clause";
  } else if (fix_resource) {
    detail += "; try replacing `==` with `in` in the resource clause";
  }
  return make_error(ValidationErrorKind::kInvalidActionApplication, policy, id, policy.loc, detail);
}

std::vector<ValidationError> check_link_entities(const ValidatorSchema& schema,
                                                 const ast::Policy& source,
                                                 const ast::ScopeConstraint& principal,
                                                 const ast::ScopeConstraint& resource,
                                                 std::string_view id) {
  std::vector<ValidationError> errors;
  for (ast::SlotId slot : {ast::SlotId::kPrincipal, ast::SlotId::kResource}) {
    if (!source.uses_slot(slot)) continue;
    const ast::ScopeConstraint& linked = slot == ast::SlotId::kPrincipal ? principal : resource;
    if (linked.target.is_slot) continue;
    const std::string& type = linked.target.entity.type;
    if (schema.is_known_entity_type(type)) continue;
    errors.push_back(make_error(ValidationErrorKind::kUnrecognizedEntityType, source, id,
                                linked.loc, ", unrecognized entity type `" + type + "`"));
  }
  return errors;
}

}  // namespace crossgate::cedar::validator
