#include "policy/registry/registry_loader.h"

#include "policy/bedrock/arn.h"
#include "policy/common/yaml_reader.h"
#include "policy/identity/jwt.h"

namespace crossgate::registry {

using yaml::MapReader;

// Fills an OwnerRegistry from its YAML files, stopping at the first malformed field.
class RegistryBuilder {
 public:
  explicit RegistryBuilder(const bundle::BundleFiles& files) : files_(files) {}

  cedar::Result<std::shared_ptr<const OwnerRegistry>> build() {
    auto registry = std::make_shared<OwnerRegistry>();
    registry_ = registry.get();
    read_file("manifest.yaml", true, [&](MapReader& r) { manifest(r); });
    read_file("owners.yaml", false,
              [&](MapReader& r) { list(r, "owners", [&](MapReader& e) { owner(e); }); });
    read_file("workloads.yaml", true,
              [&](MapReader& r) { list(r, "workloads", [&](MapReader& e) { workload(e); }); });
    read_file("accounts.yaml", true,
              [&](MapReader& r) { list(r, "accounts", [&](MapReader& e) { account(e); }); });
    read_file("trust.yaml", false,
              [&](MapReader& r) { list(r, "trust", [&](MapReader& e) { trust(e); }); });
    read_file("emergency.yaml", false,
              [&](MapReader& r) { list(r, "grants", [&](MapReader& e) { grant(e); }); });
    read_file("models.yaml", false, [&](MapReader& r) {
      list(r, "inference_profiles", [&](MapReader& e) { profile(e); });
    });
    if (!error_.empty()) return cedar::Error{error_};
    return std::shared_ptr<const OwnerRegistry>(std::move(registry));
  }

 private:
  void read_file(const std::string& name, bool required,
                 const std::function<void(MapReader&)>& read) {
    if (!error_.empty()) return;
    std::string source = files_.origin + "/" + name;
    const std::string* text = files_.find(name);
    if (text == nullptr) {
      if (required) error_ = source + ": missing (an owner registry needs " + name + ")";
      return;
    }
    cedar::Result<YAML::Node> doc = yaml::parse(*text, source);
    if (!doc.ok()) {
      error_ = doc.message();
      return;
    }
    MapReader reader(*doc, source, "");
    if (reader.ok()) read(reader);
    if (!reader.ok()) error_ = reader.error();
  }

  static void list(MapReader& r, const char* key, const std::function<void(MapReader&)>& read) {
    r.allow_only({key});
    r.each(key, true, read);
  }

  template <class T>
  void add(MapReader& r, std::vector<T>& items,
           std::map<std::string, std::size_t, std::less<>>& index, T item, const char* what) {
    if (!r.ok()) return;
    if (!index.emplace(item.id, items.size()).second) {
      r.fail("duplicate " + std::string(what) + " id `" + item.id + "`", "id");
      return;
    }
    items.push_back(std::move(item));
  }

  static void check_account_id(MapReader& r, const char* key, const std::string& id) {
    if (r.ok() && !id.empty() && !bedrock::is_valid_account_id(id)) {
      r.fail("`" + id + "` is not a 12-digit AWS account id", key);
    }
  }

  static std::vector<std::string> regions(MapReader& r, const char* key, bool required) {
    std::vector<std::string> out = r.string_list(key, required);
    for (const std::string& region : out) {
      if (r.ok() && !bedrock::is_valid_region(region))
        r.fail("`" + region + "` is not an AWS region", key);
    }
    return out;
  }

  static void check_role_arn(MapReader& r, const char* key, const std::string& arn) {
    if (r.ok() && !arn.empty() && role_key(arn).empty()) {
      r.fail("`" + arn + "` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", key);
    }
  }

  void manifest(MapReader& r) {
    r.allow_only({"kind", "name", "revision", "maintained_by", "signatures_required"});
    RegistryManifest& m = registry_->manifest_;
    std::string kind = r.optional_string("kind", "owner-registry");
    if (r.ok() && kind != "owner-registry") {
      r.fail("this is a `" + kind + "`, not an owner registry", "kind");
    }
    m.name = r.optional_string("name", "owner-registry");
    m.revision = r.required_int("revision");
    if (r.ok() && m.revision < 0) r.fail("must not be negative", "revision");
    m.maintained_by = r.required_string("maintained_by");
    m.signatures_required = static_cast<int>(r.optional_int("signatures_required", 1));
    if (r.ok() && m.signatures_required < 1) r.fail("must be at least 1", "signatures_required");
  }

  void owner(MapReader& r) {
    r.allow_only({"id", "name", "contact"});
    Owner o;
    o.id = r.required_string("id");
    o.name = r.optional_string("name");
    o.contact = r.optional_string("contact");
    add(r, registry_->owners_, registry_->owner_index_, std::move(o), "owner");
  }

  void workload(MapReader& r) {
    r.allow_only({"id", "application", "environment", "business_function", "identity_owner",
                  "status", "identities", "home_accounts", "home_regions"});
    Workload w;
    w.id = r.required_string("id");
    w.application = r.required_string("application");
    w.environment = r.required_string("environment");
    w.business_function = r.optional_string("business_function");
    w.identity_owner = r.optional_string("identity_owner");
    std::string status = r.optional_string("status", "active");
    if (status == "active") {
      w.status = WorkloadStatus::kActive;
    } else if (status == "suspended") {
      w.status = WorkloadStatus::kSuspended;
    } else if (status == "retired") {
      w.status = WorkloadStatus::kRetired;
    } else if (r.ok()) {
      r.fail("must be active, suspended or retired, not `" + status + "`", "status");
    }
    r.each("identities", true, [&](MapReader& e) { w.identities.push_back(identity(e)); });
    w.home_accounts = r.string_list("home_accounts");
    for (const std::string& a : w.home_accounts)
      check_account_id(r, "home_accounts", a);
    w.home_regions = regions(r, "home_regions", false);
    if (r.ok() && w.identities.empty())
      r.fail("a workload needs at least one identity", "identities");
    std::size_t position = registry_->workloads_.size();
    for (const WorkloadIdentity& id : w.identities) {
      registry_->identity_index_.emplace(index_key(id), position);
    }
    add(r, registry_->workloads_, registry_->workload_index_, std::move(w), "workload");
  }

  static std::string index_key(const WorkloadIdentity& id) {
    switch (id.kind) {
      case WorkloadIdentity::Kind::kSpiffe: return "spiffe\x1f" + id.spiffe_id;
      case WorkloadIdentity::Kind::kIamRole: return "role\x1f" + role_key(id.role_arn);
      case WorkloadIdentity::Kind::kOidc:
        if (id.oidc.is_github()) {
          return "github\x1f" + id.oidc.issuer + "\x1f" + id.oidc.repository_id + "\x1f" +
                 id.oidc.environment + "\x1f" + id.oidc.workflow;
        }
        return "oidc\x1f" + id.oidc.issuer + "\x1f" + id.oidc.subject;
    }
    return {};
  }

  WorkloadIdentity identity(MapReader& r) {
    r.allow_only({"spiffe", "oidc", "iam_role"});
    WorkloadIdentity id;
    int forms = static_cast<int>(r.has("spiffe")) + r.has("oidc") + r.has("iam_role");
    if (forms != 1) {
      r.fail("an identity is exactly one of `spiffe`, `oidc` or `iam_role`");
      return id;
    }
    if (r.has("spiffe")) {
      id.kind = WorkloadIdentity::Kind::kSpiffe;
      id.spiffe_id = r.required_string("spiffe");
      if (r.ok() && !identity::spiffe_trust_domain(id.spiffe_id)) {
        r.fail("`" + id.spiffe_id + "` is not a SPIFFE ID (spiffe://trust-domain/path)", "spiffe");
      }
    } else if (r.has("iam_role")) {
      id.kind = WorkloadIdentity::Kind::kIamRole;
      id.role_arn = r.required_string("iam_role");
      check_role_arn(r, "iam_role", id.role_arn);
    } else {
      id.kind = WorkloadIdentity::Kind::kOidc;
      r.child("oidc", true, [&](MapReader& o) {
        o.allow_only({"issuer", "subject", "repository_id", "environment", "workflow"});
        id.oidc.issuer = o.required_string("issuer");
        id.oidc.subject = o.optional_string("subject");
        id.oidc.repository_id = o.optional_string("repository_id");
        id.oidc.environment = o.optional_string("environment");
        id.oidc.workflow = o.optional_string("workflow");
        if (!o.ok()) return;
        if (id.oidc.is_github()) {
          if (id.oidc.environment.empty() || id.oidc.workflow.empty()) {
            o.fail("a GitHub Actions identity needs repository_id, environment and workflow");
          }
        } else if (id.oidc.subject.empty()) {
          o.fail("an OIDC identity needs a subject, or repository_id, environment and workflow");
        }
      });
    }
    return id;
  }

  void account(MapReader& r) {
    r.allow_only({"id", "name", "environment", "platform_owner", "org_unit", "regions"});
    Account a;
    a.id = r.required_string("id");
    check_account_id(r, "id", a.id);
    a.name = r.optional_string("name");
    a.environment = r.required_string("environment");
    a.platform_owner = r.optional_string("platform_owner");
    a.org_unit = r.optional_string("org_unit");
    a.regions = regions(r, "regions", true);
    add(r, registry_->accounts_, registry_->account_index_, std::move(a), "account");
  }

  void trust(MapReader& r) {
    r.allow_only({"id", "workload", "source_account", "target_account", "role_arn", "regions",
                  "approved_by", "expires_at", "allow_environment_mismatch"});
    TrustRecord t;
    t.id = r.required_string("id");
    t.workload = r.required_string("workload");
    t.source_account = r.required_string("source_account");
    check_account_id(r, "source_account", t.source_account);
    t.target_account = r.required_string("target_account");
    check_account_id(r, "target_account", t.target_account);
    t.role_arn = r.required_string("role_arn");
    check_role_arn(r, "role_arn", t.role_arn);
    if (r.ok() && role_account(t.role_arn) != t.target_account) {
      r.fail("the role must be in the target account " + t.target_account, "role_arn");
    }
    t.regions = regions(r, "regions", true);
    t.approved_by = r.optional_string("approved_by");
    t.expires_at = r.optional_time("expires_at").value_or(0);
    t.allow_environment_mismatch = r.optional_bool("allow_environment_mismatch", false);
    // Trust (ids are not indexed: lookups go by workload and accounts).
    if (!r.ok()) return;
    for (const TrustRecord& other : registry_->trust_) {
      if (other.id == t.id) {
        r.fail("duplicate trust record id `" + t.id + "`", "id");
        return;
      }
    }
    registry_->trust_.push_back(std::move(t));
  }

  void grant(MapReader& r) {
    r.allow_only({"id", "incident_id", "incident_owner", "requested_by", "approved_by", "workload",
                  "target_account", "role_arn", "regions", "not_before", "not_after"});
    EmergencyGrant g;
    g.id = r.required_string("id");
    g.incident_id = r.required_string("incident_id");
    g.incident_owner = r.required_string("incident_owner");
    g.requested_by = r.required_string("requested_by");
    g.approved_by = r.optional_string("approved_by");
    g.workload = r.required_string("workload");
    g.target_account = r.required_string("target_account");
    check_account_id(r, "target_account", g.target_account);
    g.role_arn = r.required_string("role_arn");
    check_role_arn(r, "role_arn", g.role_arn);
    if (r.ok() && role_account(g.role_arn) != g.target_account) {
      r.fail("the role must be in the target account " + g.target_account, "role_arn");
    }
    g.regions = regions(r, "regions", true);
    g.not_before = r.required_time("not_before");
    g.not_after = r.required_time("not_after");
    if (r.ok() && g.not_after <= g.not_before) r.fail("must be after not_before", "not_after");
    add(r, registry_->grants_, registry_->grant_index_, std::move(g), "emergency grant");
  }

  void profile(MapReader& r) {
    r.allow_only({"id", "regions"});
    InferenceProfile p;
    p.id = r.required_string("id");
    p.regions = regions(r, "regions", true);
    add(r, registry_->profiles_, registry_->profile_index_, std::move(p), "inference profile");
  }

  const bundle::BundleFiles& files_;
  OwnerRegistry* registry_ = nullptr;
  std::string error_;
};

cedar::Result<std::shared_ptr<const OwnerRegistry>> load_owner_registry(
    const bundle::BundleFiles& files) {
  return RegistryBuilder(files).build();
}

}  // namespace crossgate::registry
