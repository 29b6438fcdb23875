#include "policy/registry/registry.h"

#include <optional>

namespace crossgate::registry {
namespace {

template <class T>
const T* find_in(const std::map<std::string, std::size_t, std::less<>>& index,
                 const std::vector<T>& items, std::string_view id) {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &items[it->second];
}

}  // namespace

std::string_view status_name(WorkloadStatus status) {
  switch (status) {
    case WorkloadStatus::kActive: return "active";
    case WorkloadStatus::kSuspended: return "suspended";
    case WorkloadStatus::kRetired: return "retired";
  }
  return "unknown";
}

std::string WorkloadIdentity::describe() const {
  switch (kind) {
    case Kind::kSpiffe: return spiffe_id;
    case Kind::kIamRole: return role_arn;
    case Kind::kOidc:
      if (oidc.is_github()) {
        return oidc.issuer + " repository_id=" + oidc.repository_id +
               " environment=" + oidc.environment + " workflow=" + oidc.workflow;
      }
      return oidc.issuer + " subject=" + oidc.subject;
  }
  return {};
}

namespace {

struct RoleArn {
  std::string account;
  std::string name;
};

// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME or
// arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION.
std::optional<RoleArn> parse_role_arn(std::string_view arn) {
  std::string_view parts[5];
  std::size_t start = 0;
  for (std::string_view& part : parts) {
    std::size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    part = arn.substr(start, colon - start);
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  std::string_view account = parts[4];
  if (parts[0] != "arn" || account.size() != 12 ||
      account.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view name;
  if (parts[2] == "iam" && resource.starts_with("role/")) {
    name = resource.substr(resource.rfind('/') + 1);
  } else if (parts[2] == "sts" && resource.starts_with("assumed-role/")) {
    std::string_view rest = resource.substr(std::string_view("assumed-role/").size());
    name = rest.substr(0, rest.find('/'));
  } else {
    return std::nullopt;
  }
  if (name.empty()) return std::nullopt;
  return RoleArn{std::string(account), std::string(name)};
}

}  // namespace

std::string role_account(std::string_view arn) {
  std::optional<RoleArn> role = parse_role_arn(arn);
  return role ? role->account : std::string();
}

std::string role_key(std::string_view arn) {
  std::optional<RoleArn> role = parse_role_arn(arn);
  return role ? role->account + "/" + role->name : std::string();
}

const Workload* OwnerRegistry::find_workload(std::string_view id) const {
  return find_in(workload_index_, workloads_, id);
}
const Account* OwnerRegistry::find_account(std::string_view id) const {
  return find_in(account_index_, accounts_, id);
}
const EmergencyGrant* OwnerRegistry::find_grant(std::string_view id) const {
  return find_in(grant_index_, grants_, id);
}
const InferenceProfile* OwnerRegistry::find_profile(std::string_view id) const {
  return find_in(profile_index_, profiles_, id);
}
const Owner* OwnerRegistry::find_owner(std::string_view id) const {
  return find_in(owner_index_, owners_, id);
}

namespace {

std::vector<const Workload*> lookup(
    const std::multimap<std::string, std::size_t, std::less<>>& index,
    const std::vector<Workload>& workloads, const std::string& key) {
  std::vector<const Workload*> out;
  auto [first, last] = index.equal_range(key);
  for (auto it = first; it != last; ++it)
    out.push_back(&workloads[it->second]);
  return out;
}

}  // namespace

std::vector<const Workload*> OwnerRegistry::workloads_for_spiffe(std::string_view spiffe_id) const {
  return lookup(identity_index_, workloads_, "spiffe\x1f" + std::string(spiffe_id));
}

std::vector<const Workload*> OwnerRegistry::workloads_for_role(std::string_view role_arn) const {
  std::string key = role_key(role_arn);
  if (key.empty()) return {};
  return lookup(identity_index_, workloads_, "role\x1f" + key);
}

std::vector<const Workload*> OwnerRegistry::workloads_for_oidc(std::string_view issuer,
                                                               std::string_view subject,
                                                               std::string_view repository_id,
                                                               std::string_view environment,
                                                               std::string_view workflow) const {
  std::vector<const Workload*> out;
  if (!repository_id.empty()) {
    out = lookup(identity_index_, workloads_,
                 "github\x1f" + std::string(issuer) + "\x1f" + std::string(repository_id) + "\x1f" +
                     std::string(environment) + "\x1f" + std::string(workflow));
  }
  if (out.empty()) {
    out = lookup(identity_index_, workloads_,
                 "oidc\x1f" + std::string(issuer) + "\x1f" + std::string(subject));
  }
  return out;
}

std::vector<const TrustRecord*> OwnerRegistry::trust_for(std::string_view workload,
                                                         std::string_view source,
                                                         std::string_view target) const {
  std::vector<const TrustRecord*> out;
  for (const TrustRecord& t : trust_) {
    if (t.workload == workload && t.source_account == source && t.target_account == target) {
      out.push_back(&t);
    }
  }
  return out;
}

}  // namespace crossgate::registry
