// Loading the owner registry and the policy bundle from their files: what loads, and that
// every malformed record is refused with the file, line, column and field.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry_loader.h"

namespace crossgate {
namespace {

using Catch::Matchers::ContainsSubstring;

bundle::BundleFiles registry_files() {
  bundle::BundleFiles files;
  files.origin = "reg";
  files.files["manifest.yaml"] = "name: r\nrevision: 3\nmaintained_by: team-cloud\n";
  files.files["workloads.yaml"] = R"(workloads:
  - id: w1
    application: app
    environment: prod
    identity_owner: team-a
    identities:
      - spiffe: spiffe://example.org/w1
      - iam_role: arn:aws:iam::111122223333:role/path/to/w1
    home_accounts: ["111122223333"]
)";
  files.files["accounts.yaml"] = R"(accounts:
  - id: "444455556666"
    environment: prod
    platform_owner: team-p
    regions: [us-east-1]
)";
  return files;
}

std::string registry_error(bundle::BundleFiles files) {
  auto loaded = registry::load_owner_registry(files);
  REQUIRE_FALSE(loaded.ok());
  return loaded.message();
}

TEST_CASE("a registry loads and indexes identities", "[registry]") {
  auto loaded = registry::load_owner_registry(registry_files());
  INFO((loaded.ok() ? std::string() : loaded.message()));
  REQUIRE(loaded.ok());
  const registry::OwnerRegistry& r = **loaded;
  CHECK(r.manifest().revision == 3);
  CHECK(r.workloads_for_spiffe("spiffe://example.org/w1").size() == 1);
  // An assumed-role ARN has no path: roles match by account and name.
  CHECK(r.workloads_for_role("arn:aws:sts::111122223333:assumed-role/w1/s").size() == 1);
  CHECK(r.workloads_for_role("arn:aws:iam::111122223333:role/w1").size() == 1);
  CHECK(r.workloads_for_role("arn:aws:iam::999999999999:role/w1").empty());
  CHECK(r.find_account("444455556666")->platform_owner == "team-p");
}

TEST_CASE("malformed registry records are refused where they are", "[registry][bad-input]") {
  bundle::BundleFiles files = registry_files();
  SECTION("a missing required file") {
    files.files.erase("accounts.yaml");
    CHECK_THAT(registry_error(files), ContainsSubstring("reg/accounts.yaml: missing"));
  }
  SECTION("invalid YAML") {
    files.files["accounts.yaml"] = "accounts: [\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("reg/accounts.yaml:"));
  }
  SECTION("a bad account id") {
    files.files["accounts.yaml"] =
        "accounts:\n  - id: \"4444\"\n    environment: prod\n    regions: [us-east-1]\n";
    CHECK_THAT(
        registry_error(files),
        ContainsSubstring("reg/accounts.yaml:2:9: accounts[0].id: `4444` is not a 12-digit"));
  }
  SECTION("an unknown field") {
    files.files["accounts.yaml"] =
        "accounts:\n  - id: \"444455556666\"\n    environment: prod\n    regions: [us-east-1]\n    "
        "owner: x\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("unknown field `owner`"));
  }
  SECTION("a bad region") {
    files.files["accounts.yaml"] =
        "accounts:\n  - id: \"444455556666\"\n    environment: prod\n    regions: [mars-1]\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("`mars-1` is not an AWS region"));
  }
  SECTION("a duplicate workload") {
    files.files["workloads.yaml"] +=
        files.files["workloads.yaml"].substr(files.files["workloads.yaml"].find("  - id"));
    CHECK_THAT(registry_error(files), ContainsSubstring("duplicate workload id `w1`"));
  }
  SECTION("an identity that is two things at once") {
    files.files["workloads.yaml"] =
        "workloads:\n  - id: w\n    application: a\n    environment: e\n    identities:\n"
        "      - spiffe: spiffe://x/y\n        iam_role: arn:aws:iam::111122223333:role/r\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("exactly one of"));
  }
  SECTION("a trust record whose role is in another account") {
    files.files["trust.yaml"] =
        "trust:\n  - id: t\n    workload: w1\n    source_account: \"111122223333\"\n"
        "    target_account: \"444455556666\"\n    role_arn: arn:aws:iam::111122223333:role/r\n"
        "    regions: [us-east-1]\n    expires_at: 2030-01-01T00:00:00Z\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("must be in the target account"));
  }
  SECTION("a grant that ends before it starts") {
    files.files["emergency.yaml"] =
        "grants:\n  - id: g\n    incident_id: i\n    incident_owner: o\n    requested_by: a\n"
        "    workload: w1\n    target_account: \"444455556666\"\n"
        "    role_arn: arn:aws:iam::444455556666:role/b\n    regions: [us-east-1]\n"
        "    not_before: 2026-01-02T00:00:00Z\n    not_after: 2026-01-01T00:00:00Z\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("not_after: must be after not_before"));
  }
  SECTION("a time that is not RFC 3339") {
    files.files["trust.yaml"] =
        "trust:\n  - id: t\n    workload: w1\n    source_account: \"111122223333\"\n"
        "    target_account: \"444455556666\"\n    role_arn: arn:aws:iam::444455556666:role/r\n"
        "    regions: [us-east-1]\n    expires_at: next tuesday\n";
    CHECK_THAT(registry_error(files), ContainsSubstring("expected an RFC 3339 time"));
  }
}

bundle::BundleFiles bundle_files() {
  bundle::BundleFiles files;
  files.origin = "b";
  files.files["manifest.yaml"] =
      "name: b\nrevision: 2\npolicy_owner: {id: team-p}\nguardrails:\n  max_call_chain_depth: 3\n";
  files.files["policies/a.cedar"] = "@id(\"x\") permit(principal, action, resource);\n";
  files.files["policies/nested/b.cedar"] = "forbid(principal, action, resource) when { false };\n";
  return files;
}

TEST_CASE("a policy bundle loads with file-qualified policy ids", "[policy-bundle]") {
  auto loaded = policy_bundle::load_policy_bundle(bundle_files());
  INFO((loaded.ok() ? std::string() : loaded.message()));
  REQUIRE(loaded.ok());
  const policy_bundle::PolicyBundle& b = **loaded;
  CHECK(b.manifest.revision == 2);
  CHECK(b.manifest.guardrails.max_call_chain_depth == 3);
  CHECK(b.manifest.guardrails.max_session_duration_seconds == 3600);
  CHECK(b.policies.find("a.cedar:policy0") == 0);
  CHECK(b.policies.find("nested/b.cedar:policy0") == 1);
  CHECK(b.schema.find_entity_type("Workload") != nullptr);
  CHECK(b.schema.find_action("Action", "bedrock:InvokeModel") != nullptr);
}

TEST_CASE("malformed bundles are refused where they are", "[policy-bundle][bad-input]") {
  bundle::BundleFiles files = bundle_files();
  auto error = [&] {
    auto loaded = policy_bundle::load_policy_bundle(files);
    REQUIRE_FALSE(loaded.ok());
    return loaded.message();
  };
  SECTION("a policy syntax error names the file, line and column") {
    files.files["policies/a.cedar"] = "permit(principal, action, resource)\nwhen { 1 + };\n";
    CHECK_THAT(error(), ContainsSubstring("b/policies/a.cedar:2:12:"));
  }
  SECTION("a schema error names the schema") {
    files.files["schema.cedarschema"] = "entity Workload;";  // already built in
    CHECK_THAT(error(), ContainsSubstring("Workload"));
  }
  SECTION("a manifest field out of range") {
    files.files["manifest.yaml"] =
        "name: b\nrevision: 2\nguardrails:\n  max_session_duration_seconds: 60\n";
    CHECK_THAT(error(),
               ContainsSubstring("b/manifest.yaml:4:33: guardrails.max_session_duration_seconds"));
  }
  SECTION("a registry in place of a bundle") {
    files.files["manifest.yaml"] = "kind: owner-registry\nname: b\nrevision: 1\n";
    CHECK_THAT(error(), ContainsSubstring("not a policy bundle"));
  }
  SECTION("a policy that fails schema validation names the file, line and column") {
    files.files["policies/nested/b.cedar"] =
        "forbid(principal, action, resource)\n"
        "when { resource.no_such_attribute == 1 };\n";
    std::string message = error();
    CHECK_THAT(message, ContainsSubstring("the policies fail schema validation"));
    CHECK_THAT(message, ContainsSubstring("b/policies/nested/b.cedar:2:"));
    CHECK_THAT(message, ContainsSubstring("no_such_attribute"));
    // `crossgate check` loads it anyway, to list every error.
    CHECK(policy_bundle::load_policy_bundle(files, policy_bundle::PolicyValidation::kLoadInvalid)
              .ok());
  }
  SECTION("no policies") {
    files.files.erase("policies/a.cedar");
    files.files.erase("policies/nested/b.cedar");
    CHECK_THAT(error(), ContainsSubstring("no policies"));
  }
}

}  // namespace
}  // namespace crossgate
