// The owner registry: who owns each workload identity and each account boundary, which
// cross-account trust is approved, which emergency grants exist, and where inference
// profiles process data. Loaded from signed YAML records (registry_loader.h), immutable
// afterwards, and indexed for the lookups every decision makes.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/common/time.h"

namespace crossgate::registry {

enum class WorkloadStatus : std::uint8_t { kActive, kSuspended, kRetired };
std::string_view status_name(WorkloadStatus status);

struct OidcIdentity {
  std::string issuer;
  // Generic OIDC: the token's subject.
  std::string subject;
  // GitHub Actions: the repository id, deployment environment and job_workflow_ref
  // (e.g. "octo-org/app/.github/workflows/deploy.yml@refs/heads/main").
  std::string repository_id;
  std::string environment;
  std::string workflow;
  bool is_github() const { return !repository_id.empty(); }
};

struct WorkloadIdentity {
  enum class Kind : std::uint8_t { kSpiffe, kOidc, kIamRole };
  Kind kind = Kind::kSpiffe;
  std::string spiffe_id;         // kSpiffe
  OidcIdentity oidc;             // kOidc
  std::string role_arn;          // kIamRole: arn:aws:iam::ACCOUNT:role/[path/]NAME
  std::string describe() const;  // as written, for messages and records
};

struct Workload {
  std::string id;
  std::string application;
  std::string environment;
  std::string business_function;
  std::string identity_owner;  // owner id; empty means unowned
  WorkloadStatus status = WorkloadStatus::kActive;
  std::vector<WorkloadIdentity> identities;
  std::vector<std::string> home_accounts;
  std::vector<std::string> home_regions;
};

struct Account {
  std::string id;  // 12 digits
  std::string name;
  std::string environment;
  std::string platform_owner;  // owner id; empty means unowned
  std::string org_unit;
  std::vector<std::string> regions;  // where Bedrock may be consumed in this account
};

struct TrustRecord {
  std::string id;
  std::string workload;
  std::string source_account;
  std::string target_account;
  std::string role_arn;  // the role to assume in the target account
  std::vector<std::string> regions;
  std::string approved_by;
  UnixMillis expires_at = 0;
  // An explicit exception to ENVIRONMENT_MISMATCH (e.g. a staging workload reading a
  // production model catalog), which must be approved like the trust itself.
  bool allow_environment_mismatch = false;
};

struct EmergencyGrant {
  std::string id;
  std::string incident_id;
  std::string incident_owner;
  std::string requested_by;
  std::string approved_by;
  std::string workload;
  std::string target_account;
  std::string role_arn;  // the role to assume in the target account under the grant
  std::vector<std::string> regions;
  UnixMillis not_before = 0;
  UnixMillis not_after = 0;
};

struct InferenceProfile {
  std::string id;                    // e.g. "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
  std::vector<std::string> regions;  // where requests through it may be processed
};

struct Owner {
  std::string id;
  std::string name;
  std::string contact;
};

struct RegistryManifest {
  std::string name;
  std::int64_t revision = 0;
  std::string maintained_by;
  int signatures_required = 1;
};

class OwnerRegistry {
 public:
  const RegistryManifest& manifest() const { return manifest_; }
  const std::vector<Workload>& workloads() const { return workloads_; }
  const std::vector<Account>& accounts() const { return accounts_; }
  const std::vector<TrustRecord>& trust_records() const { return trust_; }
  const std::vector<EmergencyGrant>& emergency_grants() const { return grants_; }
  const std::vector<InferenceProfile>& inference_profiles() const { return profiles_; }
  const std::vector<Owner>& owners() const { return owners_; }

  const Workload* find_workload(std::string_view id) const;
  const Account* find_account(std::string_view id) const;
  const EmergencyGrant* find_grant(std::string_view id) const;
  const InferenceProfile* find_profile(std::string_view id) const;
  const Owner* find_owner(std::string_view id) const;

  // Every workload that registered the identity; more than one is a shared identity.
  std::vector<const Workload*> workloads_for_spiffe(std::string_view spiffe_id) const;
  // `role_arn` may be an IAM role ARN or an STS assumed-role ARN; roles match by account
  // and role name (an assumed-role ARN does not carry the role's path).
  std::vector<const Workload*> workloads_for_role(std::string_view role_arn) const;
  // GitHub Actions tokens match by issuer, repository id, environment and workflow ref;
  // other OIDC tokens by issuer and subject.
  std::vector<const Workload*> workloads_for_oidc(std::string_view issuer, std::string_view subject,
                                                  std::string_view repository_id,
                                                  std::string_view environment,
                                                  std::string_view workflow) const;

  // Trust records for (workload, source account, target account), in file order.
  std::vector<const TrustRecord*> trust_for(std::string_view workload, std::string_view source,
                                            std::string_view target) const;

 private:
  friend class RegistryBuilder;
  RegistryManifest manifest_;
  std::vector<Workload> workloads_;
  std::vector<Account> accounts_;
  std::vector<TrustRecord> trust_;
  std::vector<EmergencyGrant> grants_;
  std::vector<InferenceProfile> profiles_;
  std::vector<Owner> owners_;
  std::map<std::string, std::size_t, std::less<>> workload_index_, account_index_, grant_index_,
      profile_index_, owner_index_;
  std::multimap<std::string, std::size_t, std::less<>> identity_index_;  // key -> workload
};

// "ACCOUNT/ROLENAME" for an IAM role or STS assumed-role ARN; empty if it is neither.
std::string role_key(std::string_view arn);
// The account of an IAM role or assumed-role ARN; empty if it is neither.
std::string role_account(std::string_view arn);

}  // namespace crossgate::registry
