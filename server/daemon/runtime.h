// What the daemon and `crossgate eval` build from a configuration: the trusted key sets,
// the JWT verifier with its key sets, and loading the active snapshot (policy bundle and
// owner registry) under the anti-rollback rule.
#pragma once

#include <memory>

#include "policy/cedar/common/result.h"
#include "policy/decision/identity_resolver.h"
#include "policy/loading/snapshot_loader.h"
#include "server/config/server_config.h"

namespace crossgate::server {

cedar::Result<loading::TrustSettings> load_trust(const ServerConfig& config);

cedar::Result<std::shared_ptr<identity::JwtVerifier>> make_jwt_verifier(const ServerConfig& config);

// Loads both kinds from the configured paths. When `active` is given, a revision lower
// than the active one's is refused (no rollback).
cedar::Result<std::shared_ptr<const decision::DecisionEngine>> load_snapshot(
    const ServerConfig& config, const loading::TrustSettings& trust,
    const decision::DecisionEngine* active);

}  // namespace crossgate::server
