// Builds the validator's view of a schema (validator_schema.h): the transitive closure of
// the entity type and action hierarchies, and validator types for shapes, tags and
// contexts.
#include "policy/cedar/validator/validator_schema.h"

#include <algorithm>
#include <utility>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

// Everything reachable from `start` through `children`, without `start` itself unless a
// cycle leads back to it.
std::vector<std::size_t> reachable(std::size_t start,
                                   const std::vector<std::vector<std::size_t>>& children) {
  std::vector<bool> seen(children.size(), false);
  std::vector<std::size_t> stack = children[start];
  std::vector<std::size_t> out;
  while (!stack.empty()) {
    std::size_t next = stack.back();
    stack.pop_back();
    if (seen[next]) continue;
    seen[next] = true;
    out.push_back(next);
    stack.insert(stack.end(), children[next].begin(), children[next].end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Attributes record_attributes(const SchemaTypePtr& shape) {
  if (!shape) return {};
  Type type = from_schema_type(*shape);
  return type.is(Type::Kind::kRecord) ? type.attributes() : Attributes{};
}

}  // namespace

bool EntityTypeInfo::has_descendant(std::string_view type) const {
  return std::binary_search(descendants.begin(), descendants.end(), type);
}

std::string ActionInfo::display() const {
  return to_string(EntityUid::view(type, id));
}

ValidatorSchema::ValidatorSchema(const Schema& schema) : schema_(&schema) {
  for (const auto& [name, decl] : schema.entity_types()) {
    EntityTypeInfo info;
    info.name = name;
    info.attributes = record_attributes(decl.shape);
    if (decl.tags) info.tags = from_schema_type(*decl.tags);
    if (decl.enum_ids) info.enum_ids = &*decl.enum_ids;
    entity_index_.emplace(name, entity_types_.size());
    entity_types_.push_back(std::move(info));
  }
  // Parents are declared upwards; the closure is computed downwards.
  std::vector<std::vector<std::size_t>> children(entity_types_.size());
  for (const auto& [name, decl] : schema.entity_types()) {
    std::size_t child = entity_index_.find(name)->second;
    for (const std::string& parent : decl.parent_types) {
      auto it = entity_index_.find(parent);
      if (it != entity_index_.end()) children[it->second].push_back(child);
    }
  }
  for (std::size_t i = 0; i < entity_types_.size(); ++i) {
    for (std::size_t d : reachable(i, children))
      entity_types_[i].descendants.push_back(entity_types_[d].name);
    std::sort(entity_types_[i].descendants.begin(), entity_types_[i].descendants.end());
  }

  for (const ActionDecl& decl : schema.actions()) {
    ActionInfo info;
    info.type = decl.uid.type;
    info.id = decl.uid.id;
    info.principal_types = decl.principal_types;
    info.resource_types = decl.resource_types;
    info.context = decl.context ? from_schema_type(*decl.context) : Type::record({});
    action_index_.emplace(std::make_pair(info.type, info.id), actions_.size());
    actions_.push_back(std::move(info));
  }
  std::vector<std::vector<std::size_t>> members(actions_.size());
  for (std::size_t i = 0; i < schema.actions().size(); ++i) {
    for (const ActionRef& parent : schema.actions()[i].parents) {
      auto it = action_index_.find(std::make_pair(parent.type, parent.id));
      if (it != action_index_.end()) members[it->second].push_back(i);
    }
  }
  for (std::size_t i = 0; i < actions_.size(); ++i)
    actions_[i].descendants = reachable(i, members);
}

const EntityTypeInfo* ValidatorSchema::find_entity_type(std::string_view name) const {
  auto it = entity_index_.find(name);
  return it == entity_index_.end() ? nullptr : &entity_types_[it->second];
}

const ActionInfo* ValidatorSchema::find_action(std::string_view type, std::string_view id) const {
  auto it = action_index_.find(std::make_pair(std::string(type), std::string(id)));
  return it == action_index_.end() ? nullptr : &actions_[it->second];
}

bool ValidatorSchema::is_known_entity_type(std::string_view name) const {
  return is_action_entity_type(name) || entity_index_.contains(name);
}

bool ValidatorSchema::may_be_in(std::string_view member, std::string_view group) const {
  if (member == group) return true;
  const EntityTypeInfo* info = find_entity_type(group);
  return info != nullptr && info->has_descendant(member);
}

bool ValidatorSchema::action_may_be_in(std::string_view action_type,
                                       std::string_view group_type) const {
  if (action_type == group_type) return true;
  for (const ActionInfo& group : actions_) {
    if (group.type != group_type) continue;
    for (std::size_t d : group.descendants) {
      if (actions_[d].type == action_type) return true;
    }
  }
  return false;
}

std::optional<std::vector<std::size_t>> ValidatorSchema::actions_in(
    std::span<const std::pair<std::string_view, std::string_view>> groups) const {
  std::vector<std::size_t> out;
  for (const auto& [type, id] : groups) {
    const ActionInfo* group = find_action(type, id);
    if (group == nullptr) return std::nullopt;
    out.push_back(position_of(*group));
    out.insert(out.end(), group->descendants.begin(), group->descendants.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const Attributes* ValidatorSchema::attributes_of(std::string_view entity_type) const {
  const EntityTypeInfo* info = find_entity_type(entity_type);
  return info == nullptr ? nullptr : &info->attributes;
}

std::optional<AttributeType> ValidatorSchema::attribute(const Type& type,
                                                        std::string_view name) const {
  if (type.is(Type::Kind::kRecord)) {
    auto it = type.attributes().find(name);
    if (it == type.attributes().end()) return std::nullopt;
    return it->second;
  }
  if (!type.is(Type::Kind::kEntity)) return std::nullopt;
  // For a union of entity types the attribute must be on every member (an undeclared
  // type, e.g. an action type, has none), with a type that has a bound across them.
  std::optional<AttributeType> result;
  for (const std::string& entity_type : type.entity_types()) {
    const Attributes* attrs = attributes_of(entity_type);
    if (attrs == nullptr) return std::nullopt;
    auto it = attrs->find(name);
    if (it == attrs->end()) return std::nullopt;
    if (!result) {
      result = it->second;
      continue;
    }
    std::optional<Type> lub = least_upper_bound(*result->type, *it->second.type, Mode::kPermissive);
    if (!lub) return std::nullopt;
    result = AttributeType{std::make_shared<const Type>(std::move(*lub)),
                           result->required && it->second.required};
  }
  return result;
}

bool ValidatorSchema::may_have_attribute(const Type& type, std::string_view name) const {
  switch (type.kind()) {
    case Type::Kind::kNever:
    case Type::Kind::kAnyEntity: return true;
    case Type::Kind::kRecord: return type.open() || type.attributes().contains(name);
    case Type::Kind::kEntity:
      for (const std::string& entity_type : type.entity_types()) {
        if (is_action_entity_type(entity_type)) continue;  // actions have no attributes
        const Attributes* attrs = attributes_of(entity_type);
        // An undeclared type says nothing about its attributes.
        if (attrs == nullptr || attrs->contains(name)) return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace crossgate::cedar::validator
