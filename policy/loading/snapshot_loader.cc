#include "policy/loading/snapshot_loader.h"

#include <algorithm>

#include "policy/registry/registry_loader.h"

namespace crossgate::loading {
namespace {

// Verifies the files of one kind. With allow_unsigned, a bundle without signatures.json
// loads (and reports no signers); a bundle that has one must still verify.
cedar::Result<std::vector<std::string>> verify(const bundle::BundleFiles& files,
                                               bundle::BundleKind kind, const KindTrust& trust,
                                               int manifest_required, bool allow_unsigned) {
  if (allow_unsigned && files.find(bundle::kSignaturesFile) == nullptr) {
    return std::vector<std::string>{};
  }
  int required = std::max(trust.signatures_required, manifest_required);
  cedar::Result<bundle::VerifiedSignatures> verified =
      bundle::verify_bundle_signatures(files, kind, trust.keys, required);
  if (!verified.ok()) return verified.error();
  return verified->signer_key_ids;
}

}  // namespace

cedar::Result<LoadedPolicyBundle> load_policy_bundle(const bundle::BundleFiles& files,
                                                     const TrustSettings& trust, UnixMillis now,
                                                     policy_bundle::PolicyValidation validation) {
  // Parse first: the manifest says how many signatures it wants, and a bundle that does not
  // parse is refused either way. Nothing parsed is used before the signatures verify.
  cedar::Result<std::shared_ptr<const policy_bundle::PolicyBundle>> bundle =
      policy_bundle::load_policy_bundle(files, validation);
  if (!bundle.ok()) return bundle.error();
  cedar::Result<std::vector<std::string>> signers =
      verify(files, bundle::BundleKind::kPolicyBundle, trust.policy_bundle,
             (*bundle)->manifest.signatures_required, trust.allow_unsigned);
  if (!signers.ok()) return cedar::Error{files.origin + ": " + signers.message()};
  LoadedPolicyBundle out;
  out.bundle = std::move(bundle.value());
  out.version =
      decision::VersionInfo{out.bundle->manifest.name, out.bundle->manifest.revision,
                            bundle::bundle_digest(files, bundle::BundleKind::kPolicyBundle),
                            std::move(signers.value()), now};
  return out;
}

cedar::Result<LoadedRegistry> load_owner_registry(const bundle::BundleFiles& files,
                                                  const TrustSettings& trust, UnixMillis now) {
  cedar::Result<std::shared_ptr<const registry::OwnerRegistry>> loaded =
      registry::load_owner_registry(files);
  if (!loaded.ok()) return loaded.error();
  cedar::Result<std::vector<std::string>> signers =
      verify(files, bundle::BundleKind::kOwnerRegistry, trust.owner_registry,
             (*loaded)->manifest().signatures_required, trust.allow_unsigned);
  if (!signers.ok()) return cedar::Error{files.origin + ": " + signers.message()};
  LoadedRegistry out;
  out.registry = std::move(loaded.value());
  out.version =
      decision::VersionInfo{out.registry->manifest().name, out.registry->manifest().revision,
                            bundle::bundle_digest(files, bundle::BundleKind::kOwnerRegistry),
                            std::move(signers.value()), now};
  return out;
}

cedar::Result<LoadedPolicyBundle> load_policy_bundle(const std::filesystem::path& source,
                                                     const TrustSettings& trust, UnixMillis now) {
  cedar::Result<bundle::BundleFiles> files = bundle::read_bundle_source(source);
  if (!files.ok()) return files.error();
  return load_policy_bundle(*files, trust, now);
}

cedar::Result<LoadedRegistry> load_owner_registry(const std::filesystem::path& source,
                                                  const TrustSettings& trust, UnixMillis now) {
  cedar::Result<bundle::BundleFiles> files = bundle::read_bundle_source(source);
  if (!files.ok()) return files.error();
  return load_owner_registry(*files, trust, now);
}

cedar::Result<std::shared_ptr<const decision::DecisionEngine>> make_engine(
    const LoadedPolicyBundle& bundle, const LoadedRegistry& registry) {
  return decision::DecisionEngine::create(bundle.bundle, bundle.version, registry.registry,
                                          registry.version);
}

}  // namespace crossgate::loading
