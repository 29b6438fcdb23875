#include "policy/decision/obligations.h"

#include <algorithm>

namespace crossgate::decision {

std::string sts_safe(std::string_view text, std::size_t max_length) {
  std::string out;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
    out += ok ? c : '-';
    if (out.size() == max_length) break;
  }
  while (out.size() < 2)
    out += '-';
  return out;
}

Obligations make_obligations(const DecisionInput& input, const std::string& decision_id,
                             const registry::Workload& workload, const registry::TrustRecord* trust,
                             const registry::EmergencyGrant* grant,
                             const policy_bundle::GuardrailSettings& settings) {
  Obligations o;
  if (trust != nullptr) {
    o.role_arn = trust->role_arn;
  } else if (grant != nullptr) {
    o.role_arn = grant->role_arn;
  }
  o.role_session_name = sts_safe("cg-" + decision_id);
  o.source_identity = sts_safe(workload.id);
  o.session_tags = {{"crossgate:workload", workload.id},
                    {"crossgate:decision", decision_id},
                    {"crossgate:identity-owner", workload.identity_owner}};
  if (grant != nullptr) o.session_tags["crossgate:incident"] = grant->incident_id;
  std::int64_t duration = settings.max_session_duration_seconds;
  // A gateway holding assumed-role credentials assumes the next role by role chaining,
  // which STS limits to one hour.
  if (input.identity.type == EvidenceType::kAwsSession)
    duration = std::min<std::int64_t>(duration, 3600);
  // Never outlive the emergency grant that allowed the call (the guardrail refuses grants
  // with less than the shortest session left).
  if (grant != nullptr) {
    duration = std::min<std::int64_t>(duration, (grant->not_after - input.time) / 1000);
  }
  o.duration_seconds = static_cast<int>(duration);
  return o;
}

}  // namespace crossgate::decision
