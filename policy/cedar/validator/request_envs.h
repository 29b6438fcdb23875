// Request environments: the (principal type, action, resource type) combinations a schema
// allows, each with the action's context type. A policy is typechecked once per
// environment, so that `principal.name` is checked against the principal type of every
// action the policy can apply to.
//
// For a template, each environment is further split by the entity types its slots could
// be linked to (only those the scope constraint makes possible).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/cedar/ast/policy.h"
#include "policy/cedar/validator/validator_schema.h"

namespace crossgate::cedar::validator {

struct RequestEnv {
  const std::string* principal = nullptr;
  const ActionInfo* action = nullptr;
  const std::string* resource = nullptr;
  // For templates: the entity type `?principal` / `?resource` is assumed to be linked to;
  // nullopt when the policy has no such slot.
  std::optional<std::string> principal_slot;
  std::optional<std::string> resource_slot;
};

// Every environment the schema declares, action by action (in schema order), principal
// types before resource types. The pointers refer into `schema`.
std::vector<RequestEnv> request_envs(const ValidatorSchema& schema);

// `env` specialised for `policy`'s slots: one environment per possible pair of slot
// types, or `env` itself when the policy has no slots.
std::vector<RequestEnv> link_slots(const ValidatorSchema& schema, const RequestEnv& env,
                                   const ast::Policy& policy);

}  // namespace crossgate::cedar::validator
