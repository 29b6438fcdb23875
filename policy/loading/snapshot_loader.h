// Loading what decisions run on: the policy bundle and the owner registry, each read from
// its source, checked against its own trusted key set (k of n, with k the larger of the
// configured and the manifest's count), parsed, and finally combined into a
// DecisionEngine. Nothing that fails any step is returned.
//
// Unsigned loading exists for development only: it must be asked for explicitly, and the
// caller is expected to say so loudly.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "policy/bundle/signatures.h"
#include "policy/cedar/common/result.h"
#include "policy/decision/decision_engine.h"
#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry.h"

namespace crossgate::loading {

struct KindTrust {
  bundle::TrustedKeys keys;
  int signatures_required = 1;
};

struct TrustSettings {
  KindTrust policy_bundle;
  KindTrust owner_registry;
  bool allow_unsigned = false;
};

struct LoadedPolicyBundle {
  std::shared_ptr<const policy_bundle::PolicyBundle> bundle;
  decision::VersionInfo version;
};

struct LoadedRegistry {
  std::shared_ptr<const registry::OwnerRegistry> registry;
  decision::VersionInfo version;
};

cedar::Result<LoadedPolicyBundle> load_policy_bundle(const std::filesystem::path& source,
                                                     const TrustSettings& trust, UnixMillis now);
cedar::Result<LoadedRegistry> load_owner_registry(const std::filesystem::path& source,
                                                  const TrustSettings& trust, UnixMillis now);

// The same from files already read (e.g. downloaded).
cedar::Result<LoadedPolicyBundle> load_policy_bundle(
    const bundle::BundleFiles& files, const TrustSettings& trust, UnixMillis now,
    policy_bundle::PolicyValidation validation = policy_bundle::PolicyValidation::kRefuseInvalid);
cedar::Result<LoadedRegistry> load_owner_registry(const bundle::BundleFiles& files,
                                                  const TrustSettings& trust, UnixMillis now);

cedar::Result<std::shared_ptr<const decision::DecisionEngine>> make_engine(
    const LoadedPolicyBundle& bundle, const LoadedRegistry& registry);

}  // namespace crossgate::loading
