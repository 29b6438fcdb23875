// Every guardrail outcome, driven through the pure guardrail function with hand-built
// facts: which code fires, with what note, and that all failures are listed in order.
#include "policy/decision/guardrails.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>
#include <vector>

namespace crossgate::decision {
namespace {

using Catch::Matchers::ContainsSubstring;

constexpr UnixMillis kNow = 1'800'000'000'000;

struct World {
  registry::Workload workload;
  registry::Workload twin;
  registry::Account account;
  registry::TrustRecord trust;
  registry::EmergencyGrant grant;
  policy_bundle::PolicyBundleManifest bundle;
  VerifiedIdentity identity;
  GuardrailFacts facts;

  World() {
    workload.id = "app-prod";
    workload.environment = "prod";
    workload.identity_owner = "team-a";
    workload.home_accounts = {"111111111111"};
    twin = workload;
    twin.id = "app-twin";
    account.id = "222222222222";
    account.environment = "prod";
    account.platform_owner = "team-platform";
    account.regions = {"us-east-1", "us-west-2"};
    trust.id = "trust-1";
    trust.workload = "app-prod";
    trust.source_account = "111111111111";
    trust.target_account = "222222222222";
    trust.role_arn = "arn:aws:iam::222222222222:role/invoker";
    trust.regions = {"us-east-1"};
    grant.id = "eg-1";
    grant.incident_id = "INC-1";
    grant.incident_owner = "oncall";
    grant.requested_by = "bob";
    grant.approved_by = "carol";
    grant.workload = "app-prod";
    grant.target_account = "222222222222";
    grant.role_arn = "arn:aws:iam::222222222222:role/breakglass";
    grant.regions = {"us-east-1"};
    grant.not_before = kNow - 3600'000;
    grant.not_after = kNow + 3600'000;
    bundle.name = "b";
    bundle.policy_owner.id = "team-policy";
    identity.type = EvidenceType::kJwtSvid;
    identity.verified = true;
    identity.spiffe_id = "spiffe://example.org/app";
    identity.issued_at = kNow - 60'000;
    identity.expires_at = kNow + 240'000;

    facts.now = kNow;
    facts.identity = &identity;
    facts.candidates = {&workload};
    facts.target_account = &account;
    facts.source_account = "111111111111";
    facts.target_account_id = "222222222222";
    facts.cross_account = true;
    facts.processing_regions = {"us-east-1"};
    facts.trust = {&trust};
    facts.bundle = &bundle;
  }

  std::vector<std::string> codes() {
    std::vector<std::string> out;
    for (const GuardrailFailure& f : evaluate_guardrails(facts).failures)
      out.emplace_back(f.code);
    return out;
  }
  std::string notes() {
    std::string out;
    for (const GuardrailFailure& f : evaluate_guardrails(facts).failures)
      out += f.note + "\n";
    return out;
  }
};

using Codes = std::vector<std::string>;

TEST_CASE("a fully attributed, trusted, owned request passes", "[guardrails]") {
  World w;
  GuardrailOutcome outcome = evaluate_guardrails(w.facts);
  CHECK(outcome.passed());
  CHECK(outcome.workload == &w.workload);
  CHECK(outcome.trust == &w.trust);
  CHECK(outcome.valid_grant == nullptr);
}

TEST_CASE("UNATTRIBUTED: no evidence, unverified, unknown, inactive, unowned", "[guardrails]") {
  World w;
  SECTION("no evidence") {
    w.identity = VerifiedIdentity{};
    CHECK(w.codes() == Codes{"UNATTRIBUTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("no identity evidence"));
  }
  SECTION("evidence that fails verification") {
    w.identity.verified = false;
    w.identity.failure = "bad signature";
    w.facts.candidates.clear();
    CHECK(w.codes() == Codes{"UNATTRIBUTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("not verified: bad signature"));
  }
  SECTION("an identity registered for no workload") {
    w.facts.candidates.clear();
    CHECK(w.codes() == Codes{"UNATTRIBUTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("registered for no workload"));
  }
  SECTION("a suspended workload") {
    w.workload.status = registry::WorkloadStatus::kSuspended;
    CHECK(w.codes() == Codes{"UNATTRIBUTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("is suspended"));
  }
  SECTION("a workload without identity owner") {
    w.workload.identity_owner.clear();
    CHECK(w.codes() == Codes{"UNATTRIBUTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("has no identity owner"));
  }
}

TEST_CASE("SHARED_IDENTITY: several workloads, or a foreign account", "[guardrails]") {
  World w;
  SECTION("one identity, two workloads: also unattributed") {
    w.facts.candidates = {&w.workload, &w.twin};
    CHECK(w.codes() == Codes{"UNATTRIBUTED", "SHARED_IDENTITY"});
    CHECK_THAT(w.notes(), ContainsSubstring("registered for app-prod, app-twin"));
  }
  SECTION("a role used from an account the workload is not registered in") {
    w.identity = VerifiedIdentity{};
    w.identity.type = EvidenceType::kAwsSession;
    w.identity.verified = true;
    w.identity.role_arn = "arn:aws:sts::333333333333:assumed-role/app/s1";
    w.identity.issued_at = kNow - 60'000;
    w.identity.expires_at = kNow + 600'000;
    CHECK(w.codes() == Codes{"SHARED_IDENTITY"});
    CHECK_THAT(w.notes(), ContainsSubstring("is used from account 333333333333"));
  }
  SECTION("a request from a source account the workload is not registered in") {
    w.facts.source_account = "999999999999";
    w.trust.source_account = "999999999999";
    CHECK(w.codes() == Codes{"SHARED_IDENTITY"});
  }
}

TEST_CASE("ENVIRONMENT_MISMATCH unless a trust record allows it", "[guardrails]") {
  World w;
  w.workload.environment = "dev";
  CHECK(w.codes() == Codes{"ENVIRONMENT_MISMATCH"});
  CHECK_THAT(w.notes(), ContainsSubstring("app-prod (dev) calls account 222222222222 (prod)"));
  w.trust.allow_environment_mismatch = true;
  CHECK(w.codes().empty());
}

TEST_CASE("CREDENTIAL_LIFETIME: expired, not yet valid, too long", "[guardrails]") {
  World w;
  SECTION("expired or not yet valid, as the evidence check found") {
    w.identity.lifetime_failure = "token expired at 2026-01-01T00:00:00.000Z";
    CHECK(w.codes() == Codes{"CREDENTIAL_LIFETIME"});
    CHECK_THAT(w.notes(), ContainsSubstring("token expired at"));
  }
  SECTION("longer than the bundle allows") {
    w.bundle.guardrails.max_credential_lifetime_seconds = 60;
    CHECK(w.codes() == Codes{"CREDENTIAL_LIFETIME"});
    CHECK_THAT(w.notes(), ContainsSubstring("longer than the bundle's maximum of 60 s"));
  }
  SECTION("an AWS session without expiry") {
    w.identity.type = EvidenceType::kAwsSession;
    w.identity.role_arn = "arn:aws:iam::111111111111:role/app";
    w.identity.expires_at.reset();
    CHECK(w.codes() == Codes{"CREDENTIAL_LIFETIME"});
  }
}

TEST_CASE("NO_EXPLICIT_TRUST for cross-account requests only", "[guardrails]") {
  World w;
  w.facts.trust.clear();
  CHECK(w.codes() == Codes{"NO_EXPLICIT_TRUST"});
  w.facts.cross_account = false;
  CHECK(w.codes().empty());
}

TEST_CASE("REGION_NOT_TRUSTED: every processing region must be trusted", "[guardrails]") {
  World w;
  SECTION("outside the trust record") {
    w.facts.processing_regions = {"us-east-1", "us-west-2"};
    CHECK(w.codes() == Codes{"REGION_NOT_TRUSTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("us-west-2 is not trusted by trust-1"));
  }
  SECTION("outside the account") {
    w.trust.regions = {"us-east-1", "eu-west-1"};
    w.facts.processing_regions = {"eu-west-1"};
    CHECK(w.codes() == Codes{"REGION_NOT_TRUSTED"});
    CHECK_THAT(w.notes(), ContainsSubstring("not among account 222222222222's regions"));
  }
  SECTION("unknown (an inference profile missing from the catalog)") {
    w.facts.processing_regions.clear();
    CHECK(w.codes() == Codes{"REGION_NOT_TRUSTED"});
  }
}

TEST_CASE("UNOWNED_BOUNDARY: unknown or unowned account, unowned bundle", "[guardrails]") {
  World w;
  SECTION("unknown account") {
    w.facts.target_account = nullptr;
    CHECK(w.codes() == Codes{"UNOWNED_BOUNDARY"});
  }
  SECTION("no platform owner") {
    w.account.platform_owner.clear();
    CHECK(w.codes() == Codes{"UNOWNED_BOUNDARY"});
  }
  SECTION("no policy owner") {
    w.bundle.policy_owner.id.clear();
    CHECK(w.codes() == Codes{"UNOWNED_BOUNDARY"});
  }
}

TEST_CASE("BROKEN_PROVENANCE: unattributable hops and deep chains", "[guardrails]") {
  World w;
  w.facts.call_chain.push_back({CallHop{"agent-1", "agent"}, {&w.workload}});
  CHECK(w.codes().empty());
  w.facts.call_chain.push_back({CallHop{"mystery-tool", "tool"}, {}});
  CHECK(w.codes() == Codes{"BROKEN_PROVENANCE"});
  CHECK_THAT(w.notes(), ContainsSubstring("hop 2 (mystery-tool) is not a registered workload"));
  w.facts.call_chain.pop_back();
  w.bundle.guardrails.max_call_chain_depth = 0;
  CHECK(w.codes() == Codes{"BROKEN_PROVENANCE"});
}

TEST_CASE("a valid emergency grant stands in for trust; an invalid one is named", "[guardrails]") {
  World w;
  w.facts.trust.clear();
  w.facts.emergency_grant_id = "eg-1";
  w.facts.grant = &w.grant;
  SECTION("valid") {
    GuardrailOutcome outcome = evaluate_guardrails(w.facts);
    CHECK(outcome.passed());
    CHECK(outcome.valid_grant == &w.grant);
  }
  SECTION("unknown") {
    w.facts.grant = nullptr;
    CHECK(w.codes() == Codes{"NO_EXPLICIT_TRUST", "EMERGENCY_GRANT_INVALID"});
  }
  SECTION("outside its window") {
    w.grant.not_after = kNow;
    CHECK(w.codes() == Codes{"NO_EXPLICIT_TRUST", "EMERGENCY_GRANT_INVALID"});
    CHECK_THAT(w.notes(), ContainsSubstring("expired"));
  }
  SECTION("longer than the maximum window") {
    w.bundle.guardrails.max_emergency_window_seconds = 600;
    CHECK_THAT(w.notes(), ContainsSubstring("exceeds the maximum"));
  }
  SECTION("approved by its requester") {
    w.grant.approved_by = "bob";
    CHECK_THAT(w.notes(), ContainsSubstring("approved by its own requester"));
  }
  SECTION("for another workload, account or region") {
    w.grant.workload = "other";
    w.grant.target_account = "333333333333";
    w.grant.regions = {"eu-west-1"};
    std::string notes = w.notes();
    CHECK_THAT(notes, ContainsSubstring("is for workload other"));
    CHECK_THAT(notes, ContainsSubstring("is for account 333333333333"));
    CHECK_THAT(notes, ContainsSubstring("does not cover region us-east-1"));
  }
}

TEST_CASE("every failure is listed, in the fixed order", "[guardrails]") {
  World w;
  w.workload.environment = "dev";                            // ENVIRONMENT_MISMATCH
  w.identity.lifetime_failure = "expired";                   // CREDENTIAL_LIFETIME
  w.facts.trust.clear();                                     // NO_EXPLICIT_TRUST
  w.facts.processing_regions = {"eu-west-1"};                // REGION_NOT_TRUSTED (account)
  w.bundle.policy_owner.id.clear();                          // UNOWNED_BOUNDARY
  w.facts.call_chain.push_back({CallHop{"x", "tool"}, {}});  // BROKEN_PROVENANCE
  w.facts.emergency_grant_id = "nope";                       // EMERGENCY_GRANT_INVALID
  CHECK(w.codes() == Codes{"ENVIRONMENT_MISMATCH", "CREDENTIAL_LIFETIME", "NO_EXPLICIT_TRUST",
                           "REGION_NOT_TRUSTED", "UNOWNED_BOUNDARY", "BROKEN_PROVENANCE",
                           "EMERGENCY_GRANT_INVALID"});
}

}  // namespace
}  // namespace crossgate::decision
