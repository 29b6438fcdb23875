// The registry lint rules (registry_lint.h).
#include "policy/check/registry_lint.h"

#include <map>
#include <string>

#include "policy/check/record_lines.h"

namespace crossgate::check {
namespace {

using registry::WorkloadIdentity;

// Two registrations are the same identity when a request could match both: the same
// SPIFFE ID, the same role (by account and name, as requests match roles), the same OIDC
// issuer and subject, or the same GitHub repository, environment and workflow.
std::string identity_key(const WorkloadIdentity& id) {
  switch (id.kind) {
    case WorkloadIdentity::Kind::kSpiffe: return "spiffe " + id.spiffe_id;
    case WorkloadIdentity::Kind::kIamRole: return "role " + registry::role_key(id.role_arn);
    case WorkloadIdentity::Kind::kOidc:
      if (id.oidc.is_github()) {
        return "github " + id.oidc.issuer + "\n" + id.oidc.repository_id + "\n" +
               id.oidc.environment + "\n" + id.oidc.workflow;
      }
      return "oidc " + id.oidc.issuer + "\n" + id.oidc.subject;
  }
  return {};
}

std::string ticked(const std::string& text) {
  return "`" + text + "`";
}

class Linter {
 public:
  Linter(const registry::OwnerRegistry& registry, const bundle::BundleFiles& registry_files,
         const policy_bundle::PolicyBundleManifest& manifest,
         const bundle::BundleFiles& bundle_files)
      : r_(registry), files_(registry_files), manifest_(manifest), bundle_files_(bundle_files) {}

  std::vector<Finding> run() {
    bundle_owner();
    workloads();
    accounts();
    trust();
    grants();
    return std::move(out_);
  }

 private:
  void add(std::string rule, const std::string& file, int line, const std::string& what,
           const std::string& id, std::string message) {
    Finding f;
    f.rule = std::move(rule);
    f.file = file;
    f.line = line;
    f.record = what + " " + ticked(id);
    f.record_id = id;
    f.message = std::move(message);
    out_.push_back(std::move(f));
  }

  std::string path(const bundle::BundleFiles& files, const char* name) const {
    return files.origin + "/" + name;
  }

  void bundle_owner() {
    if (!manifest_.policy_owner.id.empty()) return;
    add("bundle/without-owner", path(bundle_files_, "manifest.yaml"), 1, "bundle", manifest_.name,
        "the bundle names no policy_owner: every decision would be UNOWNED_BOUNDARY");
  }

  // An owner id that owners.yaml does not list (only when it lists anyone: a registry
  // without owners.yaml names owners by id alone).
  void check_owner(const std::string& owner, const char* field, const std::string& file, int line,
                   const char* what, const std::string& id) {
    if (owner.empty() || r_.owners().empty() || r_.find_owner(owner) != nullptr) return;
    add("registry/unknown-owner", file, line, what, id,
        std::string(field) + " " + ticked(owner) + " is not in owners.yaml");
  }

  void workloads() {
    const std::string file = path(files_, "workloads.yaml");
    std::map<std::string, int> lines = record_lines(files_, "workloads.yaml", "workloads");
    std::map<std::string, std::string> first_owner;  // identity key -> workload id
    for (const registry::Workload& w : r_.workloads()) {
      int line = lines.count(w.id) != 0 ? lines[w.id] : 0;
      for (const WorkloadIdentity& id : w.identities) {
        auto [it, inserted] = first_owner.emplace(identity_key(id), w.id);
        if (inserted || it->second == w.id) continue;
        add("registry/duplicate-identity", file, line, "workload", w.id,
            "identity " + ticked(id.describe()) + " is also registered for workload " +
                ticked(it->second) +
                (lines.count(it->second) != 0 ? " (line " + std::to_string(lines[it->second]) + ")"
                                              : "") +
                ": requests with it are SHARED_IDENTITY and attributable to neither");
      }
      if (w.identity_owner.empty()) {
        add("registry/workload-without-owner", file, line, "workload", w.id,
            "no identity_owner: its requests are UNATTRIBUTED");
      }
      check_owner(w.identity_owner, "identity_owner", file, line, "workload", w.id);
    }
  }

  void accounts() {
    const std::string file = path(files_, "accounts.yaml");
    std::map<std::string, int> lines = record_lines(files_, "accounts.yaml", "accounts");
    for (const registry::Account& a : r_.accounts()) {
      int line = lines.count(a.id) != 0 ? lines[a.id] : 0;
      if (a.platform_owner.empty()) {
        add("registry/account-without-owner", file, line, "account", a.id,
            "no platform_owner: calls into it are UNOWNED_BOUNDARY");
      }
      check_owner(a.platform_owner, "platform_owner", file, line, "account", a.id);
    }
  }

  void known_references(
      const std::string& file, int line, const char* what, const std::string& id,
      const std::string& workload,
      std::initializer_list<std::pair<const char*, const std::string*>> account_fields) {
    if (r_.find_workload(workload) == nullptr) {
      add("registry/unknown-workload", file, line, what, id,
          "workload " + ticked(workload) + " is not in workloads.yaml");
    }
    for (const auto& [field, account] : account_fields) {
      if (r_.find_account(*account) == nullptr) {
        add("registry/unknown-account", file, line, what, id,
            std::string(field) + " " + ticked(*account) + " is not in accounts.yaml");
      }
    }
  }

  void trust() {
    const std::string file = path(files_, "trust.yaml");
    std::map<std::string, int> lines = record_lines(files_, "trust.yaml", "trust");
    for (const registry::TrustRecord& t : r_.trust_records()) {
      int line = lines.count(t.id) != 0 ? lines[t.id] : 0;
      if (t.approved_by.empty()) {
        add("registry/trust-without-approver", file, line, "trust record", t.id,
            "no approved_by: nobody is accountable for this cross-account trust");
      }
      if (t.expires_at == 0) {
        add("registry/trust-without-expiry", file, line, "trust record", t.id,
            "no expires_at: cross-account trust must be reviewed and expire");
      }
      known_references(
          file, line, "trust record", t.id, t.workload,
          {{"source_account", &t.source_account}, {"target_account", &t.target_account}});
    }
  }

  void grants() {
    const std::string file = path(files_, "emergency.yaml");
    std::map<std::string, int> lines = record_lines(files_, "emergency.yaml", "grants");
    const std::int64_t max_seconds = manifest_.guardrails.max_emergency_window_seconds;
    for (const registry::EmergencyGrant& g : r_.emergency_grants()) {
      int line = lines.count(g.id) != 0 ? lines[g.id] : 0;
      std::int64_t window_seconds = (g.not_after - g.not_before) / 1000;
      if (window_seconds > max_seconds) {
        add("registry/grant-too-long", file, line, "emergency grant", g.id,
            "its window is " + std::to_string(window_seconds) + " s, longer than the bundle's " +
                "max_emergency_window_seconds " + std::to_string(max_seconds) +
                ": it is EMERGENCY_GRANT_INVALID");
      }
      if (g.approved_by.empty()) {
        add("registry/grant-unapproved", file, line, "emergency grant", g.id,
            "no approved_by: it is EMERGENCY_GRANT_INVALID");
      } else if (g.approved_by == g.requested_by) {
        add("registry/grant-self-approved", file, line, "emergency grant", g.id,
            "approved by its requester " + ticked(g.requested_by) +
                ": it is EMERGENCY_GRANT_INVALID");
      }
      known_references(file, line, "emergency grant", g.id, g.workload,
                       {{"target_account", &g.target_account}});
    }
  }

  const registry::OwnerRegistry& r_;
  const bundle::BundleFiles& files_;
  const policy_bundle::PolicyBundleManifest& manifest_;
  const bundle::BundleFiles& bundle_files_;
  std::vector<Finding> out_;
};

}  // namespace

const std::vector<std::string>& lint_rule_ids() {
  static const std::vector<std::string> ids = {
      "registry/duplicate-identity",    "registry/workload-without-owner",
      "registry/account-without-owner", "registry/unknown-owner",
      "bundle/without-owner",           "registry/trust-without-approver",
      "registry/trust-without-expiry",  "registry/grant-too-long",
      "registry/grant-unapproved",      "registry/grant-self-approved",
      "registry/unknown-workload",      "registry/unknown-account"};
  return ids;
}

std::vector<Finding> lint_registry(const registry::OwnerRegistry& registry,
                                   const bundle::BundleFiles& registry_files,
                                   const policy_bundle::PolicyBundleManifest& bundle_manifest,
                                   const bundle::BundleFiles& bundle_files) {
  return Linter(registry, registry_files, bundle_manifest, bundle_files).run();
}

}  // namespace crossgate::check
