// The abstract syntax of a Cedar policy or template: annotations, effect, the three
// scope constraints and the when/unless conditions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/cedar/ast/expr.h"

namespace crossgate::cedar::ast {

enum class Effect : std::uint8_t { kPermit, kForbid };

// The target of `==` or `in` in a principal or resource scope.
struct EntityOrSlot {
  bool is_slot = false;
  SlotId slot = SlotId::kPrincipal;  // when is_slot
  EntityRef entity;                  // otherwise
};

// principal / resource scope: `principal`, `principal == E`, `principal in E`,
// `principal is T`, `principal is T in E`, with E an entity or a template slot.
struct ScopeConstraint {
  enum class Kind : std::uint8_t { kAny, kEq, kIn, kIs, kIsIn };
  Kind kind = Kind::kAny;
  std::string entity_type;  // kIs, kIsIn
  EntityOrSlot target;      // kEq, kIn, kIsIn
  SourceLoc loc;
};

// action scope: `action`, `action == A`, `action in A`, `action in [A, B]`.
struct ActionConstraint {
  enum class Kind : std::uint8_t { kAny, kEq, kIn };
  Kind kind = Kind::kAny;
  std::vector<EntityRef> entities;  // one for kEq; one or more for kIn
  bool written_as_list = false;     // `in [...]` rather than `in A`
  SourceLoc loc;
};

struct Condition {
  bool is_when = true;  // `when`; false for `unless`
  ExprPtr body;
  SourceLoc loc;
};

struct Annotation {
  std::string key;
  std::string value;  // `@key` without a value has the empty string
  SourceLoc loc;
};

struct Policy {
  // Position-based id, `policy0`, `policy1`, ... unless the caller chose otherwise.
  std::string id;
  std::vector<Annotation> annotations;
  Effect effect = Effect::kPermit;
  ScopeConstraint principal;
  ActionConstraint action;
  ScopeConstraint resource;
  std::vector<Condition> conditions;
  std::string source;  // file or label it was parsed from
  SourceLoc loc;

  // The `@id` annotation when present, for the name users see; otherwise `id`.
  const std::string& display_name() const;
  const Annotation* find_annotation(std::string_view key) const;
  bool is_template() const;
  bool uses_slot(SlotId slot) const;
};

Policy clone(const Policy& policy);

// Cedar text for the policy (annotations, scope and conditions).
std::string to_string(const Policy& policy);

}  // namespace crossgate::cedar::ast
