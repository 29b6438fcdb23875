// Step 4 of a decision: the built-in accountability guardrails (design section 5). Each
// one that fails adds its reason code with a note saying why; all are evaluated, in a
// fixed order, so that a record lists every failure and not only the first.
//
// The guardrails read resolved facts only (what the identity maps to, the records that
// apply), so they are a pure function that tests can drive directly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/common/time.h"
#include "policy/decision/decision_input.h"
#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry.h"

namespace crossgate::decision {

// Reason codes, in evaluation order.
inline constexpr std::string_view kUnattributed = "UNATTRIBUTED";
inline constexpr std::string_view kSharedIdentity = "SHARED_IDENTITY";
inline constexpr std::string_view kEnvironmentMismatch = "ENVIRONMENT_MISMATCH";
inline constexpr std::string_view kCredentialLifetime = "CREDENTIAL_LIFETIME";
inline constexpr std::string_view kNoExplicitTrust = "NO_EXPLICIT_TRUST";
inline constexpr std::string_view kRegionNotTrusted = "REGION_NOT_TRUSTED";
inline constexpr std::string_view kUnownedBoundary = "UNOWNED_BOUNDARY";
inline constexpr std::string_view kBrokenProvenance = "BROKEN_PROVENANCE";
inline constexpr std::string_view kEmergencyGrantInvalid = "EMERGENCY_GRANT_INVALID";
inline constexpr std::string_view kLogUnavailable = "LOG_UNAVAILABLE";
// When the guardrails pass but Cedar denies.
inline constexpr std::string_view kPolicyForbid = "POLICY_FORBID";
inline constexpr std::string_view kPolicyNoPermit = "POLICY_NO_PERMIT";
// The active bundle or registry has not been confirmed current for longer than allowed.
inline constexpr std::string_view kStalePolicy = "STALE_POLICY";

inline constexpr std::string_view kAllReasonCodes[] = {
    kUnattributed,       kSharedIdentity,   kEnvironmentMismatch,
    kCredentialLifetime, kNoExplicitTrust,  kRegionNotTrusted,
    kUnownedBoundary,    kBrokenProvenance, kEmergencyGrantInvalid,
    kLogUnavailable,     kPolicyForbid,     kPolicyNoPermit,
    kStalePolicy};

struct GuardrailFacts {
  UnixMillis now = 0;
  const VerifiedIdentity* identity = nullptr;
  // Every workload the identity is registered for (none, one, or several when shared).
  std::vector<const registry::Workload*> candidates;
  const registry::Account* target_account = nullptr;  // null when not in the registry
  std::string source_account;
  std::string target_account_id;
  bool cross_account = false;
  std::vector<std::string> processing_regions;
  // Active (unexpired) trust records for (workload, source, target).
  std::vector<const registry::TrustRecord*> trust;
  std::string emergency_grant_id;                   // as presented
  const registry::EmergencyGrant* grant = nullptr;  // null when unknown or not presented
  // The call chain, each hop with the workloads it maps to.
  std::vector<std::pair<CallHop, std::vector<const registry::Workload*>>> call_chain;
  const policy_bundle::PolicyBundleManifest* bundle = nullptr;
};

struct GuardrailFailure {
  std::string_view code;
  std::string note;
};

struct GuardrailOutcome {
  std::vector<GuardrailFailure> failures;
  // The workload the request is attributed to (null when UNATTRIBUTED).
  const registry::Workload* workload = nullptr;
  // The trust record that covers the request (cross-account), if any.
  const registry::TrustRecord* trust = nullptr;
  // A presented grant that is valid for this request (it then stands in for trust).
  const registry::EmergencyGrant* valid_grant = nullptr;

  bool passed() const { return failures.empty(); }
};

GuardrailOutcome evaluate_guardrails(const GuardrailFacts& facts);

}  // namespace crossgate::decision
