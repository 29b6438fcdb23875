#include "server/daemon/runtime.h"

#include "policy/common/time.h"
#include "server/reload/origin.h"

namespace crossgate::server {

cedar::Result<loading::TrustSettings> load_trust(const ServerConfig& config) {
  loading::TrustSettings trust;
  trust.allow_unsigned = config.allow_unsigned_bundles;
  trust.policy_bundle.signatures_required = config.policy_bundle.signatures_required;
  trust.owner_registry.signatures_required = config.owner_registry.signatures_required;
  for (const auto& key : config.policy_bundle.public_keys) {
    if (cedar::Status s = trust.policy_bundle.keys.add_pem_file(key); !s.ok()) return s.error();
  }
  for (const auto& key : config.owner_registry.public_keys) {
    if (cedar::Status s = trust.owner_registry.keys.add_pem_file(key); !s.ok()) return s.error();
  }
  return trust;
}

cedar::Result<std::shared_ptr<identity::JwtVerifier>> make_jwt_verifier(
    const ServerConfig& config) {
  identity::JwtPolicy policy;
  policy.audience = config.audience;
  policy.leeway_seconds = config.leeway_seconds;
  for (const TrustDomainConfig& d : config.trust_domains) {
    cedar::Result<identity::JwkSet> keys = identity::JwkSet::load(d.jwks);
    if (!keys.ok()) return keys.error();
    policy.trust_domains.push_back(
        {d.trust_domain, std::make_shared<const identity::JwkSet>(std::move(keys.value()))});
  }
  for (const IssuerConfig& i : config.issuers) {
    cedar::Result<identity::JwkSet> keys = identity::JwkSet::load(i.jwks);
    if (!keys.ok()) return keys.error();
    policy.issuers.push_back(
        {i.issuer, std::make_shared<const identity::JwkSet>(std::move(keys.value()))});
  }
  if (policy.trust_domains.empty() && policy.issuers.empty()) {
    return std::shared_ptr<identity::JwtVerifier>();
  }
  return std::make_shared<identity::JwtVerifier>(
      std::move(policy), static_cast<std::size_t>(config.token_cache_entries));
}

cedar::Result<std::shared_ptr<const decision::DecisionEngine>> load_snapshot(
    const ServerConfig& config, const loading::TrustSettings& trust,
    const decision::DecisionEngine* active) {
  UnixMillis now = now_millis();
  auto fetch = [](const BundleSourceConfig& source) -> cedar::Result<bundle::BundleFiles> {
    if (source.url.empty()) return bundle::read_bundle_source(source.path);
    Fetch fetched = url_origin(UrlOptions{source.url, source.ca_file.string(), 20})->fetch(true);
    if (fetched.outcome != Fetch::Outcome::kChanged) return cedar::Error{fetched.error};
    return std::move(fetched.files);
  };
  cedar::Result<bundle::BundleFiles> bundle_files = fetch(config.policy_bundle);
  if (!bundle_files.ok()) return bundle_files.error();
  cedar::Result<loading::LoadedPolicyBundle> bundle =
      loading::load_policy_bundle(*bundle_files, trust, now);
  if (!bundle.ok()) return bundle.error();
  cedar::Result<bundle::BundleFiles> registry_files = fetch(config.owner_registry);
  if (!registry_files.ok()) return registry_files.error();
  cedar::Result<loading::LoadedRegistry> registry =
      loading::load_owner_registry(*registry_files, trust, now);
  if (!registry.ok()) return registry.error();
  if (active != nullptr) {
    if (bundle->version.revision < active->bundle_version().revision) {
      return cedar::Error{config.policy_bundle.path.string() + ": revision " +
                          std::to_string(bundle->version.revision) + " is lower than the active " +
                          std::to_string(active->bundle_version().revision) +
                          " (rollback refused)"};
    }
    if (registry->version.revision < active->registry_version().revision) {
      return cedar::Error{
          config.owner_registry.path.string() + ": revision " +
          std::to_string(registry->version.revision) + " is lower than the active " +
          std::to_string(active->registry_version().revision) + " (rollback refused)"};
    }
  }
  return loading::make_engine(*bundle, *registry);
}

}  // namespace crossgate::server
