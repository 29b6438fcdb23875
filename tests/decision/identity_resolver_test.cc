// Step 2 of a decision for every evidence type: what each proves, and what it does not.
// Tokens are minted here with keys generated here.
#include "policy/decision/identity_resolver.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "policy/identity/jwks.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::decision {
namespace {

using Catch::Matchers::ContainsSubstring;
namespace t = crossgate::testing;

constexpr std::int64_t kNow = 1'800'000'000;  // seconds

struct Keys {
  t::SigningKey spiffe = t::SigningKey::ec_p256("spiffe-1");
  t::SigningKey github = t::SigningKey::ed25519("github-1");
  IdentityResolver resolver{make_verifier()};

  std::shared_ptr<identity::JwtVerifier> make_verifier() {
    identity::JwtPolicy policy;
    policy.audience = "crossgate";
    auto set = [](const t::SigningKey& key) {
      auto parsed = identity::JwkSet::parse(t::jwks_json({&key}), "test");
      REQUIRE(parsed.ok());
      return std::make_shared<const identity::JwkSet>(std::move(parsed.value()));
    };
    policy.trust_domains.push_back({"example.org", set(spiffe)});
    policy.issuers.push_back({std::string(t::kGithubActionsIssuer), set(github)});
    return std::make_shared<identity::JwtVerifier>(std::move(policy));
  }
};

DecisionRequest with_token(EvidenceType type, std::string token) {
  DecisionRequest r;
  r.evidence = type;
  r.token = std::move(token);
  return r;
}

TEST_CASE("a JWT-SVID proves its SPIFFE ID, and keeps only a digest", "[identity-resolver]") {
  Keys k;
  std::string token =
      t::mint_jwt(k.spiffe, t::jwt_svid_claims("spiffe://example.org/app", "crossgate", kNow));
  VerifiedIdentity id =
      k.resolver.resolve(with_token(EvidenceType::kJwtSvid, token), {}, kNow * 1000);
  CHECK(id.verified);
  CHECK(id.spiffe_id == "spiffe://example.org/app");
  CHECK(id.token_sha256.size() == 64);
  CHECK(id.expires_at == (kNow + 300) * 1000);
  CHECK(id.failure.find(token.substr(0, 20)) == std::string::npos);
}

TEST_CASE("a tampered or foreign token proves nothing", "[identity-resolver]") {
  Keys k;
  std::string token =
      t::mint_jwt(k.spiffe, t::jwt_svid_claims("spiffe://example.org/app", "crossgate", kNow));
  VerifiedIdentity id = k.resolver.resolve(
      with_token(EvidenceType::kJwtSvid, t::corrupt_signature(token)), {}, kNow * 1000);
  CHECK_FALSE(id.verified);
  CHECK_FALSE(id.failure.empty());
  t::SigningKey stranger = t::SigningKey::ec_p256("spiffe-1");
  id = k.resolver.resolve(
      with_token(
          EvidenceType::kJwtSvid,
          t::mint_jwt(stranger, t::jwt_svid_claims("spiffe://example.org/app", "crossgate", kNow))),
      {}, kNow * 1000);
  CHECK_FALSE(id.verified);
}

TEST_CASE("an expired token is genuine but out of time: a lifetime failure",
          "[identity-resolver]") {
  Keys k;
  std::string token = t::mint_jwt(
      k.spiffe, t::jwt_svid_claims("spiffe://example.org/app", "crossgate", kNow - 3600));
  VerifiedIdentity id =
      k.resolver.resolve(with_token(EvidenceType::kJwtSvid, token), {}, kNow * 1000);
  CHECK(id.verified);
  CHECK_THAT(id.lifetime_failure, ContainsSubstring("expired"));
}

TEST_CASE("a GitHub Actions token proves its repository, environment and workflow",
          "[identity-resolver]") {
  Keys k;
  t::GithubActionsRun run;
  run.repository_id = "42";
  run.environment = "production";
  std::string token = t::mint_jwt(k.github, t::github_actions_claims(run, "crossgate", kNow));
  VerifiedIdentity id = k.resolver.resolve(with_token(EvidenceType::kOidc, token), {}, kNow * 1000);
  CHECK(id.verified);
  CHECK(id.issuer == t::kGithubActionsIssuer);
  CHECK(id.repository_id == "42");
  CHECK(id.environment == "production");
  CHECK_FALSE(id.workflow.empty());
}

TEST_CASE("an X.509-SVID is the caller's own certificate", "[identity-resolver]") {
  Keys k;
  DecisionRequest r;
  r.evidence = EvidenceType::kX509Svid;
  VerifiedIdentity id =
      k.resolver.resolve(r, Caller{"spiffe://example.org/gw", false}, kNow * 1000);
  CHECK(id.verified);
  CHECK(id.spiffe_id == "spiffe://example.org/gw");
  id = k.resolver.resolve(r, Caller{}, kNow * 1000);
  CHECK_FALSE(id.verified);
  CHECK_THAT(id.failure, ContainsSubstring("no mTLS client certificate"));
}

TEST_CASE("an AWS session counts only from a trusted asserter", "[identity-resolver]") {
  Keys k;
  DecisionRequest r;
  r.evidence = EvidenceType::kAwsSession;
  r.aws_session.role_arn = "arn:aws:sts::111122223333:assumed-role/app/s";
  r.aws_session.issued_at = kNow * 1000 - 60'000;
  r.aws_session.expires_at = kNow * 1000 + 600'000;
  VerifiedIdentity trusted =
      k.resolver.resolve(r, Caller{"spiffe://example.org/gw", true}, kNow * 1000);
  CHECK(trusted.verified);
  CHECK(trusted.role_arn == r.aws_session.role_arn);
  VerifiedIdentity untrusted =
      k.resolver.resolve(r, Caller{"spiffe://example.org/x", false}, kNow * 1000);
  CHECK_FALSE(untrusted.verified);
  CHECK_THAT(untrusted.failure, ContainsSubstring("not a trusted asserter"));
  r.aws_session.expires_at = kNow * 1000 - 1;
  CHECK_THAT(
      k.resolver.resolve(r, Caller{"spiffe://example.org/gw", true}, kNow * 1000).lifetime_failure,
      ContainsSubstring("expired"));
}

TEST_CASE("no evidence is no identity", "[identity-resolver]") {
  Keys k;
  VerifiedIdentity id = k.resolver.resolve(DecisionRequest{}, {}, kNow * 1000);
  CHECK(id.type == EvidenceType::kNone);
  CHECK_FALSE(id.verified);
}

}  // namespace
}  // namespace crossgate::decision
