// The policy bundle: the policy owner's signed package of Cedar policies, with its
// manifest (name, revision, owner, guardrail settings), an optional schema extending the
// built-in one, and tests. Immutable once loaded.
//
//   manifest.yaml        kind, name, revision, policy_owner {id, name, contact},
//                        guardrails {...}, signatures_required
//   schema.cedarschema   optional
//   policies/**/*.cedar  policy ids are "<path under policies/>:policy<N>", e.g.
//                        "invocation.cedar:policy0"; @id annotations give the names
//   tests/*.yaml         bundle tests, run by `crossgate check`
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "policy/bundle/bundle_source.h"
#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/common/result.h"
#include "policy/cedar/schema/schema.h"

namespace crossgate::policy_bundle {

struct PolicyOwner {
  std::string id;
  std::string name;
  std::string contact;
};

// Settings of the built-in guardrails (design section 5) that the policy owner chooses.
struct GuardrailSettings {
  // CREDENTIAL_LIFETIME: a credential may not live longer than this (exp - iat).
  std::int64_t max_credential_lifetime_seconds = 12 * 3600;
  // Obligations: the session duration the gateway must request (capped at 3600 when the
  // gateway's own credentials are an assumed role, as STS requires for role chaining).
  std::int64_t max_session_duration_seconds = 3600;
  // BROKEN_PROVENANCE: the deepest agent -> tool call chain allowed.
  std::int64_t max_call_chain_depth = 4;
  // EMERGENCY_GRANT_INVALID: the longest break-glass window.
  std::int64_t max_emergency_window_seconds = 4 * 3600;
};

struct PolicyBundleManifest {
  std::string name;
  std::int64_t revision = 0;
  PolicyOwner policy_owner;  // id empty when the bundle names none (UNOWNED_BOUNDARY)
  GuardrailSettings guardrails;
  int signatures_required = 1;
};

struct PolicyBundle {
  PolicyBundleManifest manifest;
  cedar::Schema schema;  // built-in plus the bundle's own
  cedar::PolicySet policies;
  std::map<std::string, std::string> test_files;  // "tests/x.yaml" -> text
};

// Whether a bundle whose policies fail Cedar's strict schema validation loads. The daemon
// and replay refuse it (a version that fails to validate never replaces a good one);
// `crossgate check` loads it anyway, to list every error with its place.
enum class PolicyValidation : std::uint8_t { kRefuseInvalid, kLoadInvalid };

// Errors name the file and the line and column (manifest fields, policy syntax, schema,
// the first validation error).
cedar::Result<std::shared_ptr<const PolicyBundle>> load_policy_bundle(
    const bundle::BundleFiles& files,
    PolicyValidation validation = PolicyValidation::kRefuseInvalid);

}  // namespace crossgate::policy_bundle
