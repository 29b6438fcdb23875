// The Cedar entities of a registry version: owners, applications, environments, business
// functions, org units, workloads and accounts, plus the schema's actions. Built once when
// a registry or bundle version is activated, then shared by every decision.
#pragma once

#include "policy/cedar/common/result.h"
#include "policy/cedar/entities/entities.h"
#include "policy/cedar/schema/schema.h"
#include "policy/registry/registry.h"

namespace crossgate::model {

cedar::Result<cedar::Entities> project_registry(const registry::OwnerRegistry& registry,
                                                const cedar::Schema& schema);

}  // namespace crossgate::model
