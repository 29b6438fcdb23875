// The schema as the validator reads it: entity types with their descendant types and
// attribute types, actions with their descendant actions, appliesTo lists and context
// types, all in validator types (types.h) and computed once per schema.
//
// The hierarchy is kept downwards (descendants), as the questions the validator asks are
// "can an entity of type A be in an entity of type B?" and "which actions are in group G?".
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/schema/schema.h"
#include "policy/cedar/validator/types.h"

namespace crossgate::cedar::validator {

struct EntityTypeInfo {
  std::string name;
  std::vector<std::string> descendants;  // sorted: types whose entities may be in this one
  Attributes attributes;                 // the shape
  std::optional<Type> tags;              // the tag type, when the type declares tags
  const std::vector<std::string>* enum_ids = nullptr;  // for `enum [...]` types

  bool has_descendant(std::string_view type) const;
};

struct ActionInfo {
  std::string type;  // e.g. "Action" or "NS::Action"
  std::string id;
  std::vector<std::size_t> descendants;  // positions in ValidatorSchema::actions(), sorted
  std::vector<std::string> principal_types;
  std::vector<std::string> resource_types;
  Type context;  // a closed record

  // `Action::"view"`, with the id escaped as in policies.
  std::string display() const;
};

class ValidatorSchema {
 public:
  explicit ValidatorSchema(const Schema& schema);

  const Schema& schema() const { return *schema_; }
  // Declared entity types, sorted by name. Action types are not among them.
  const std::vector<EntityTypeInfo>& entity_types() const { return entity_types_; }
  const std::vector<ActionInfo>& actions() const { return actions_; }

  const EntityTypeInfo* find_entity_type(std::string_view name) const;
  const ActionInfo* find_action(std::string_view type, std::string_view id) const;
  std::size_t position_of(const ActionInfo& action) const {
    return static_cast<std::size_t>(&action - actions_.data());
  }

  // Declared, or an action entity type (`Action`, `NS::Action`): the reference treats
  // every action type as known and checks the action ids separately.
  bool is_known_entity_type(std::string_view name) const;

  // Whether `member in group` can hold for entities of these types: `member` is `group`
  // or one of its descendant types.
  bool may_be_in(std::string_view member, std::string_view group) const;

  // Whether an action of type `action_type` can be in an entity of type `group_type`:
  // they are the same type, or some action of type `group_type` has a descendant action
  // of type `action_type`.
  bool action_may_be_in(std::string_view action_type, std::string_view group_type) const;

  // The actions `action in [groups...]` holds for (the groups and their descendants), by
  // position; nullopt when a group is not a declared action.
  std::optional<std::vector<std::size_t>> actions_in(
      std::span<const std::pair<std::string_view, std::string_view>> groups) const;

  // The attribute `name` of a record or entity type, if the type is known to have it.
  std::optional<AttributeType> attribute(const Type& type, std::string_view name) const;
  // Whether a value of this type may have the attribute `name` at all.
  bool may_have_attribute(const Type& type, std::string_view name) const;

 private:
  const Attributes* attributes_of(std::string_view entity_type) const;

  const Schema* schema_;
  std::vector<EntityTypeInfo> entity_types_;
  std::map<std::string, std::size_t, std::less<>> entity_index_;
  std::vector<ActionInfo> actions_;
  std::map<std::pair<std::string, std::string>, std::size_t, std::less<>> action_index_;
};

}  // namespace crossgate::cedar::validator
