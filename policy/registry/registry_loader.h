// Loading the owner registry from its files (a directory or archive already read and
// verified by bundle/): manifest.yaml, workloads.yaml, accounts.yaml and the optional
// trust.yaml, emergency.yaml, models.yaml and owners.yaml. Every malformed record is
// refused with "file:line:column: field: what is wrong"; nothing half-loaded is returned.
#pragma once

#include <memory>

#include "policy/bundle/bundle_source.h"
#include "policy/cedar/common/result.h"
#include "policy/registry/registry.h"

namespace crossgate::registry {

cedar::Result<std::shared_ptr<const OwnerRegistry>> load_owner_registry(
    const bundle::BundleFiles& files);

}  // namespace crossgate::registry
