#include "policy/decision/guardrails.h"

#include <algorithm>

namespace crossgate::decision {
namespace {

constexpr std::int64_t kShortestStsSessionMs = 900'000;

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string identity_text(const VerifiedIdentity& id) {
  if (!id.spiffe_id.empty()) return id.spiffe_id;
  if (!id.role_arn.empty()) return id.role_arn;
  if (!id.repository_id.empty()) {
    return id.issuer + " repository_id=" + id.repository_id + " environment=" + id.environment +
           " workflow=" + id.workflow;
  }
  if (!id.issuer.empty()) return id.issuer + " subject=" + id.subject;
  return std::string(evidence_name(id.type));
}

class Checker {
 public:
  explicit Checker(const GuardrailFacts& facts) : f_(facts) {}

  GuardrailOutcome run() {
    attribution();
    shared_identity();
    environment();
    credential_lifetime();
    emergency_grant_validity();  // decides whether a grant can stand in for trust
    explicit_trust();
    regions();
    ownership();
    provenance();
    // EMERGENCY_GRANT_INVALID was found above but is listed in its place in the order.
    std::stable_sort(out_.failures.begin(), out_.failures.end(),
                     [](const GuardrailFailure& a, const GuardrailFailure& b) {
                       return rank(a.code) < rank(b.code);
                     });
    return std::move(out_);
  }

 private:
  static int rank(std::string_view code) {
    static constexpr std::string_view kOrder[] = {
        kUnattributed,       kSharedIdentity,   kEnvironmentMismatch,
        kCredentialLifetime, kNoExplicitTrust,  kRegionNotTrusted,
        kUnownedBoundary,    kBrokenProvenance, kEmergencyGrantInvalid};
    for (int i = 0; i < 9; ++i) {
      if (kOrder[i] == code) return i;
    }
    return 9;
  }

  void fail(std::string_view code, std::string note) {
    // One entry per code; further notes for the same code are appended to the first.
    for (GuardrailFailure& existing : out_.failures) {
      if (existing.code == code) {
        existing.note += "; " + note;
        return;
      }
    }
    out_.failures.push_back({code, std::move(note)});
  }

  void attribution() {
    const VerifiedIdentity& id = *f_.identity;
    if (id.type == EvidenceType::kNone) return fail(kUnattributed, "no identity evidence");
    if (!id.verified)
      return fail(kUnattributed, "the " + std::string(evidence_name(id.type)) +
                                     " evidence is not verified: " + id.failure);
    if (f_.candidates.empty()) {
      return fail(kUnattributed,
                  "identity " + identity_text(id) + " is registered for no workload");
    }
    if (f_.candidates.size() > 1) {
      return fail(kUnattributed, "identity " + identity_text(id) + " maps to " +
                                     std::to_string(f_.candidates.size()) + " workloads");
    }
    const registry::Workload* w = f_.candidates.front();
    if (w->status != registry::WorkloadStatus::kActive) {
      return fail(kUnattributed,
                  "workload " + w->id + " is " + std::string(registry::status_name(w->status)));
    }
    if (w->identity_owner.empty()) {
      return fail(kUnattributed, "workload " + w->id + " has no identity owner");
    }
    out_.workload = w;
  }

  void shared_identity() {
    const VerifiedIdentity& id = *f_.identity;
    if (f_.candidates.size() > 1) {
      std::vector<std::string> ids;
      for (const registry::Workload* w : f_.candidates)
        ids.push_back(w->id);
      fail(kSharedIdentity, "identity " + identity_text(id) + " is registered for " + join(ids));
    }
    const registry::Workload* w = f_.candidates.size() == 1 ? f_.candidates.front() : nullptr;
    if (w == nullptr || w->home_accounts.empty()) return;
    if (id.type == EvidenceType::kAwsSession) {
      std::string role_account = registry::role_account(id.role_arn);
      if (!contains(w->home_accounts, role_account)) {
        fail(kSharedIdentity, "role " + id.role_arn + " is used from account " + role_account +
                                  ", where workload " + w->id + " is not registered");
      }
    }
    if (!contains(w->home_accounts, f_.source_account)) {
      fail(kSharedIdentity,
           "workload " + w->id + " is not registered in source account " + f_.source_account);
    }
  }

  void environment() {
    const registry::Workload* w = out_.workload;
    if (w == nullptr || f_.target_account == nullptr) return;
    if (w->environment == f_.target_account->environment) return;
    for (const registry::TrustRecord* t : f_.trust) {
      if (t->allow_environment_mismatch) return;
    }
    fail(kEnvironmentMismatch, "workload " + w->id + " (" + w->environment + ") calls account " +
                                   f_.target_account->id + " (" + f_.target_account->environment +
                                   ") without a trust record that allows it");
  }

  void credential_lifetime() {
    const VerifiedIdentity& id = *f_.identity;
    if (id.type == EvidenceType::kNone) return;
    // Expiry and not-before were judged when the evidence was checked (with the configured
    // clock skew leeway for tokens); the verdict travels with the identity.
    if (!id.lifetime_failure.empty()) fail(kCredentialLifetime, id.lifetime_failure);
    if (id.type == EvidenceType::kAwsSession && !id.expires_at) {
      fail(kCredentialLifetime, "the AWS session has no expiry time");
    }
    const std::int64_t max_ms = f_.bundle->guardrails.max_credential_lifetime_seconds * 1000;
    if (id.expires_at) {
      UnixMillis start = id.issued_at ? *id.issued_at : id.not_before.value_or(f_.now);
      if (*id.expires_at - start > max_ms) {
        fail(kCredentialLifetime,
             "the credential lives " + std::to_string((*id.expires_at - start) / 1000) +
                 " s, longer than the bundle's maximum of " + std::to_string(max_ms / 1000) + " s");
      }
    }
  }

  void emergency_grant_validity() {
    if (f_.emergency_grant_id.empty()) return;
    const registry::EmergencyGrant* g = f_.grant;
    if (g == nullptr) {
      return fail(kEmergencyGrantInvalid,
                  "emergency grant " + f_.emergency_grant_id + " is unknown");
    }
    bool valid = true;
    auto invalid = [&](std::string note) {
      valid = false;
      fail(kEmergencyGrantInvalid, "emergency grant " + g->id + ": " + std::move(note));
    };
    if (f_.now < g->not_before) invalid("not valid before " + format_rfc3339(g->not_before));
    if (f_.now >= g->not_after) {
      invalid("expired at " + format_rfc3339(g->not_after));
    } else if (g->not_after - f_.now < kShortestStsSessionMs) {
      // The session it would allow could not end with it.
      invalid("it ends at " + format_rfc3339(g->not_after) +
              ", before the shortest STS session (900 s) would");
    }
    const std::int64_t max_ms = f_.bundle->guardrails.max_emergency_window_seconds * 1000;
    if (g->not_after - g->not_before > max_ms) {
      invalid("its window of " + std::to_string((g->not_after - g->not_before) / 1000) +
              " s exceeds the maximum of " + std::to_string(max_ms / 1000) + " s");
    }
    if (g->approved_by.empty()) invalid("it has no approver");
    if (!g->approved_by.empty() && g->approved_by == g->requested_by) {
      invalid("it was approved by its own requester, " + g->requested_by);
    }
    if (out_.workload == nullptr || g->workload != out_.workload->id) {
      invalid("it is for workload " + g->workload + ", not for this caller");
    }
    if (g->target_account != f_.target_account_id) {
      invalid("it is for account " + g->target_account + ", not " + f_.target_account_id);
    }
    for (const std::string& region : f_.processing_regions) {
      if (!contains(g->regions, region)) invalid("it does not cover region " + region);
    }
    if (valid) out_.valid_grant = g;
  }

  void explicit_trust() {
    if (!f_.cross_account) return;
    if (!f_.trust.empty()) {
      out_.trust = f_.trust.front();
      return;
    }
    if (out_.valid_grant != nullptr) return;  // the grant stands in for the missing trust
    std::string who = out_.workload != nullptr ? out_.workload->id : std::string("the caller");
    fail(kNoExplicitTrust, "no active trust record for " + who + " from " + f_.source_account +
                               " to " + f_.target_account_id);
  }

  void regions() {
    for (const std::string& region : f_.processing_regions) {
      if (f_.target_account != nullptr && !contains(f_.target_account->regions, region)) {
        fail(kRegionNotTrusted, "region " + region + " is not among account " +
                                    f_.target_account->id + "'s regions (" +
                                    join(f_.target_account->regions) + ")");
      }
      if (out_.trust != nullptr && !contains(out_.trust->regions, region)) {
        fail(kRegionNotTrusted, "region " + region + " is not trusted by " + out_.trust->id + " (" +
                                    join(out_.trust->regions) + ")");
      }
    }
    if (f_.processing_regions.empty()) {
      fail(kRegionNotTrusted, "the regions that would process the request are not known");
    }
  }

  void ownership() {
    if (f_.target_account == nullptr) {
      fail(kUnownedBoundary, "target account " + f_.target_account_id + " is not in the registry");
    } else if (f_.target_account->platform_owner.empty()) {
      fail(kUnownedBoundary, "target account " + f_.target_account->id + " has no platform owner");
    }
    if (f_.bundle->policy_owner.id.empty()) {
      fail(kUnownedBoundary, "policy bundle " + f_.bundle->name + " has no policy owner");
    }
  }

  void provenance() {
    const std::int64_t max_depth = f_.bundle->guardrails.max_call_chain_depth;
    if (static_cast<std::int64_t>(f_.call_chain.size()) > max_depth) {
      fail(kBrokenProvenance, "the call chain has " + std::to_string(f_.call_chain.size()) +
                                  " hops, more than the maximum of " + std::to_string(max_depth));
    }
    for (std::size_t i = 0; i < f_.call_chain.size(); ++i) {
      const auto& [hop, workloads] = f_.call_chain[i];
      std::string where = "hop " + std::to_string(i + 1) + " (" + hop.workload + ")";
      if (hop.workload.empty()) {
        fail(kBrokenProvenance, "hop " + std::to_string(i + 1) + " names no workload");
      } else if (workloads.empty()) {
        fail(kBrokenProvenance, where + " is not a registered workload");
      } else if (workloads.size() > 1) {
        fail(kBrokenProvenance, where + " maps to several workloads");
      } else if (workloads.front()->status != registry::WorkloadStatus::kActive ||
                 workloads.front()->identity_owner.empty()) {
        fail(kBrokenProvenance, where + " is not an active, owned workload");
      }
    }
  }

  const GuardrailFacts& f_;
  GuardrailOutcome out_;
};

}  // namespace

GuardrailOutcome evaluate_guardrails(const GuardrailFacts& facts) {
  return Checker(facts).run();
}

}  // namespace crossgate::decision
