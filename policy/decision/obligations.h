// On ALLOW, the STS parameters the gateway must use when it assumes the role in the
// target account (design section 7): the role from the trust record (or the emergency
// grant), a session name carrying the decision id, the workload as SourceIdentity, session
// tags, and a duration within the bundle's maximum. CloudTrail's AssumeRole event then
// joins every Bedrock call back to its decision.
#pragma once

#include <map>
#include <string>

#include "policy/decision/decision_input.h"
#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry.h"

namespace crossgate::decision {

struct Obligations {
  std::string role_arn;  // empty for a same-account call without a trust record
  std::string role_session_name;
  std::string source_identity;
  std::map<std::string, std::string> session_tags;
  int duration_seconds = 0;
};

// STS limits: session names and source identities are 2 to 64 characters of
// [A-Za-z0-9_+=,.@-]; anything else is replaced with '-'.
std::string sts_safe(std::string_view text, std::size_t max_length = 64);

Obligations make_obligations(const DecisionInput& input, const std::string& decision_id,
                             const registry::Workload& workload, const registry::TrustRecord* trust,
                             const registry::EmergencyGrant* grant,
                             const policy_bundle::GuardrailSettings& settings);

}  // namespace crossgate::decision
