// The registry lint rules of `crossgate check`, one at a time: a clean registry has no
// finding, and each broken record gives exactly its rule, with the file, line and record.
#include "policy/check/registry_lint.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>
#include <vector>

#include "policy/check/waivers.h"
#include "policy/registry/registry_loader.h"

namespace crossgate {
namespace {

using Catch::Matchers::ContainsSubstring;

const char* kWorkloads = R"(workloads:
  - id: w1
    application: app
    environment: prod
    identity_owner: team-a
    identities:
      - spiffe: spiffe://example.org/w1
      - iam_role: arn:aws:iam::111122223333:role/w1
  - id: w2
    application: app
    environment: prod
    identity_owner: team-a
    identities:
      - oidc: {issuer: https://issuer.example, subject: ci}
)";

const char* kAccounts = R"(accounts:
  - id: "111122223333"
    environment: prod
    platform_owner: team-p
    regions: [us-east-1]
  - id: "444455556666"
    environment: prod
    platform_owner: team-p
    regions: [us-east-1]
)";

const char* kTrust = R"(trust:
  - id: t1
    workload: w1
    source_account: "111122223333"
    target_account: "444455556666"
    role_arn: arn:aws:iam::444455556666:role/r
    regions: [us-east-1]
    approved_by: jane
    expires_at: 2030-01-01T00:00:00Z
)";

const char* kGrants = R"(grants:
  - id: g1
    incident_id: INC-1
    incident_owner: oncall
    requested_by: bob
    approved_by: carol
    workload: w1
    target_account: "444455556666"
    role_arn: arn:aws:iam::444455556666:role/r
    regions: [us-east-1]
    not_before: 2026-11-27T00:00:00Z
    not_after: 2026-11-27T04:00:00Z
)";

struct World {
  bundle::BundleFiles registry;
  bundle::BundleFiles bundle;
  policy_bundle::PolicyBundleManifest manifest;

  World() {
    registry.origin = "reg";
    registry.files["manifest.yaml"] = "revision: 1\nmaintained_by: team-cloud\n";
    registry.files["workloads.yaml"] = kWorkloads;
    registry.files["accounts.yaml"] = kAccounts;
    registry.files["trust.yaml"] = kTrust;
    registry.files["emergency.yaml"] = kGrants;
    registry.files["owners.yaml"] = "owners:\n  - id: team-a\n  - id: team-p\n";
    bundle.origin = "bun";
    manifest.name = "b";
    manifest.policy_owner.id = "team-policy";
  }

  // Replaces the first occurrence of `from` in registry file `file`.
  World& edit(const std::string& file, const std::string& from, const std::string& to) {
    std::string& text = registry.files[file];
    std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return *this;
  }

  std::vector<check::Finding> lint() const {
    auto loaded = registry::load_owner_registry(registry);
    INFO((loaded.ok() ? std::string() : loaded.message()));
    REQUIRE(loaded.ok());
    return check::lint_registry(**loaded, registry, manifest, bundle);
  }
};

// The one finding the edit produced.
check::Finding only(const std::vector<check::Finding>& findings) {
  std::string all;
  for (const check::Finding& f : findings)
    all += f.rule + " " + f.record + ": " + f.message + "\n";
  INFO(all);
  REQUIRE(findings.size() == 1);
  return findings[0];
}

TEST_CASE("a clean registry has no lint finding", "[check][lint]") {
  CHECK(World().lint().empty());
}

TEST_CASE("an identity registered for two workloads", "[check][lint]") {
  SECTION("a role, matched by account and name whatever its path") {
    World w;
    w.edit("workloads.yaml", "subject: ci}\n",
           "subject: ci}\n      - iam_role: arn:aws:iam::111122223333:role/team/w1\n");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/duplicate-identity");
    CHECK(f.file == "reg/workloads.yaml");
    CHECK(f.line == 9);  // w2's record
    CHECK(f.record_id == "w2");
    CHECK_THAT(f.message, ContainsSubstring("also registered for workload `w1` (line 2)"));
  }
  SECTION("an OIDC issuer and subject") {
    World w;
    w.edit("workloads.yaml", "      - spiffe: spiffe://example.org/w1\n",
           "      - oidc: {issuer: https://issuer.example, subject: ci}\n");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/duplicate-identity");
    CHECK(f.record_id == "w2");
  }
  SECTION("twice on the same workload is not shared") {
    World w;
    w.edit("workloads.yaml", "      - iam_role: arn:aws:iam::111122223333:role/w1\n",
           "      - iam_role: arn:aws:iam::111122223333:role/w1\n"
           "      - iam_role: arn:aws:iam::111122223333:role/x/w1\n");
    CHECK(w.lint().empty());
  }
}

TEST_CASE("records without an owner", "[check][lint]") {
  SECTION("a workload") {
    World w;
    w.edit("workloads.yaml", "    identity_owner: team-a\n    identities:\n      - oidc",
           "    identities:\n      - oidc");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/workload-without-owner");
    CHECK(f.record == "workload `w2`");
    CHECK(f.line == 9);
  }
  SECTION("an account") {
    World w;
    w.edit("accounts.yaml", "    platform_owner: team-p\n", "");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/account-without-owner");
    CHECK(f.record_id == "111122223333");
    CHECK(f.file == "reg/accounts.yaml");
    CHECK(f.line == 2);
  }
  SECTION("the bundle") {
    World w;
    w.manifest.policy_owner.id.clear();
    check::Finding f = only(w.lint());
    CHECK(f.rule == "bundle/without-owner");
    CHECK(f.file == "bun/manifest.yaml");
  }
  SECTION("an owner id that owners.yaml does not list") {
    World w;
    w.edit("accounts.yaml", "platform_owner: team-p", "platform_owner: team-q");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/unknown-owner");
    CHECK_THAT(f.message, ContainsSubstring("team-q"));
  }
}

TEST_CASE("trust records without approver or expiry", "[check][lint]") {
  SECTION("no approver") {
    World w;
    w.edit("trust.yaml", "    approved_by: jane\n", "");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/trust-without-approver");
    CHECK(f.record == "trust record `t1`");
    CHECK(f.file == "reg/trust.yaml");
    CHECK(f.line == 2);
  }
  SECTION("no expiry") {
    World w;
    w.edit("trust.yaml", "    expires_at: 2030-01-01T00:00:00Z\n", "");
    CHECK(only(w.lint()).rule == "registry/trust-without-expiry");
  }
}

TEST_CASE("emergency grants", "[check][lint]") {
  SECTION("exactly the bundle's maximum window is fine; longer is not") {
    World w;
    w.manifest.guardrails.max_emergency_window_seconds = 4 * 3600;
    CHECK(w.lint().empty());
    w.manifest.guardrails.max_emergency_window_seconds = 3600;
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/grant-too-long");
    CHECK_THAT(f.message, ContainsSubstring("14400 s"));
    CHECK_THAT(f.message, ContainsSubstring("3600"));
  }
  SECTION("the design's 4 h when the bundle sets nothing") {
    World w;
    w.edit("emergency.yaml", "not_after: 2026-11-27T04:00:00Z", "not_after: 2026-11-27T04:00:01Z");
    CHECK(only(w.lint()).rule == "registry/grant-too-long");
  }
  SECTION("approved by its requester") {
    World w;
    w.edit("emergency.yaml", "approved_by: carol", "approved_by: bob");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/grant-self-approved");
    CHECK(f.record_id == "g1");
    CHECK(f.file == "reg/emergency.yaml");
  }
  SECTION("not approved") {
    World w;
    w.edit("emergency.yaml", "    approved_by: carol\n", "");
    CHECK(only(w.lint()).rule == "registry/grant-unapproved");
  }
}

TEST_CASE("trust and grants naming unknown workloads or accounts", "[check][lint]") {
  SECTION("a trust record's workload") {
    World w;
    w.edit("trust.yaml", "workload: w1", "workload: w9");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/unknown-workload");
    CHECK(f.record_id == "t1");
    CHECK_THAT(f.message, ContainsSubstring("`w9`"));
  }
  SECTION("a trust record's source account") {
    World w;
    w.edit("trust.yaml", "source_account: \"111122223333\"", "source_account: \"999999999999\"");
    check::Finding f = only(w.lint());
    CHECK(f.rule == "registry/unknown-account");
    CHECK_THAT(f.message, ContainsSubstring("source_account `999999999999`"));
  }
  SECTION("a grant's workload and account") {
    World w;
    w.edit("emergency.yaml", "workload: w1", "workload: w9");
    w.edit("emergency.yaml", "target_account: \"444455556666\"",
           "target_account: \"999999999999\"");
    w.edit("emergency.yaml", "role/r", "role/r9");
    w.edit("emergency.yaml", "arn:aws:iam::444455556666", "arn:aws:iam::999999999999");
    std::vector<check::Finding> findings = w.lint();
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].rule == "registry/unknown-workload");
    CHECK(findings[1].rule == "registry/unknown-account");
    CHECK(findings[1].record == "emergency grant `g1`");
  }
}

TEST_CASE("waivers mark matching findings and report stale ones", "[check][lint]") {
  World w;
  w.edit("trust.yaml", "    approved_by: jane\n", "");
  w.manifest.policy_owner.id.clear();
  std::vector<check::Finding> findings = w.lint();
  REQUIRE(findings.size() == 2);
  auto waiver = check::parse_waiver("registry/trust-without-approver=t1");
  auto stale = check::parse_waiver("registry/grant-too-long");
  REQUIRE(waiver);
  REQUIRE(stale);
  std::vector<check::Waiver> unused = check::apply_waivers(findings, {*waiver, *stale});
  REQUIRE(unused.size() == 1);
  CHECK(unused[0].rule == "registry/grant-too-long");
  CHECK_FALSE(findings[0].waived);  // bundle/without-owner
  CHECK(findings[1].waived);
  CHECK_FALSE(check::parse_waiver("registry/no-such-rule"));
  CHECK_FALSE(check::parse_waiver("registry/grant-too-long="));
  auto other = check::parse_waiver("registry/trust-without-approver=t2");
  REQUIRE(other);
  findings[1].waived = false;
  CHECK(check::apply_waivers(findings, {*other}).size() == 1);
  CHECK_FALSE(findings[1].waived);
}

}  // namespace
}  // namespace crossgate
