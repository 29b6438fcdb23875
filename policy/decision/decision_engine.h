// Where a decision is made. A DecisionEngine is one immutable snapshot of the active
// policy bundle and owner registry (with the registry's Cedar entities projected once);
// decide() runs steps 3 to 6 of design section 2 on a verified input:
//
//   normalize  the action to its IAM action, the resource ARN to its facts, the regions
//              that would process the request (inference profiles from the catalog)
//   resolve    the identity to its workloads, the target account, trust, the grant,
//              each hop of the call chain
//   guardrails every built-in check (guardrails.h)
//   cedar      the bundle's policies, when the request is attributed to a workload
//   decide     ALLOW iff every guardrail passes and Cedar allows; obligations on ALLOW
//
// A malformed request (unknown action, bad ARN or account) is an error, not a decision.
// Engines are shared between threads; each thread passes its own DecisionScratch.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/cedar/entities/entities.h"
#include "policy/decision/decision_input.h"
#include "policy/decision/decision_scratch.h"
#include "policy/decision/obligations.h"
#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry.h"

namespace crossgate::decision {

// Where a bundle or registry came from and what it is, for status, metrics and records.
struct VersionInfo {
  std::string name;
  std::int64_t revision = 0;
  std::string digest;
  std::vector<std::string> signer_key_ids;  // empty when loaded unsigned (development)
  UnixMillis loaded_at = 0;
};

struct PolicyRef {
  std::string id;
  std::string name;
  std::string error;  // for erroring policies
};

struct OwnerRef {
  std::string id;
  std::string name;
  std::string contact;
};

struct Decision {
  bool allow = false;
  std::string decision_id;
  std::vector<std::string> reasons;  // reason codes, guardrails first
  std::vector<std::string> notes;    // "CODE: why", one per reason
  std::vector<PolicyRef> determining;
  std::vector<PolicyRef> erroring;
  OwnerRef identity_owner;
  OwnerRef platform_owner;
  OwnerRef policy_owner;
  std::string workload_id;  // empty when unattributed
  std::optional<Obligations> obligations;
  bool emergency = false;
  std::optional<registry::EmergencyGrant> grant;  // the valid grant the decision used
  // The request as normalized.
  std::string iam_action;
  std::string resource_arn;
  std::string resource_kind;
  std::string target_account;
  std::string target_region;
  std::vector<std::string> processing_regions;
};

class DecisionEngine {
 public:
  static cedar::Result<std::shared_ptr<const DecisionEngine>> create(
      std::shared_ptr<const policy_bundle::PolicyBundle> bundle, VersionInfo bundle_version,
      std::shared_ptr<const registry::OwnerRegistry> registry, VersionInfo registry_version);

  // Thread-safe; `scratch` is the calling thread's own (decision_scratch.h).
  cedar::Result<Decision> decide(const DecisionInput& input, DecisionScratch& scratch) const;

  const VersionInfo& bundle_version() const { return bundle_version_; }
  const VersionInfo& registry_version() const { return registry_version_; }
  const policy_bundle::PolicyBundle& bundle() const { return *bundle_; }
  const registry::OwnerRegistry& registry() const { return *registry_; }
  const cedar::Entities& entities() const { return entities_; }

 private:
  DecisionEngine() = default;

  std::shared_ptr<const policy_bundle::PolicyBundle> bundle_;
  std::shared_ptr<const registry::OwnerRegistry> registry_;
  VersionInfo bundle_version_;
  VersionInfo registry_version_;
  cedar::Entities entities_;
};

}  // namespace crossgate::decision
