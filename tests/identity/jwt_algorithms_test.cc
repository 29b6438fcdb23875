// Tokens that verify: every accepted algorithm, both token kinds, the claims the result
// carries, and the header variants the standards allow.
#include <openssl/evp.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "policy/identity/jwt.h"
#include "tests/identity/fixtures.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::identity {
namespace {

using nlohmann::json;
using namespace test;

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 15];
  }
  return hex;
}

const SigningKey& key_for(std::string_view alg) {
  const Keys& k = keys();
  if (alg == "ES256") return k.p256;
  if (alg == "ES384") return k.p384;
  if (alg == "EdDSA") return k.ed25519;
  return k.rsa;
}

TEST_CASE("a JWT-SVID verifies with every accepted algorithm", "[identity]") {
  std::string alg =
      GENERATE("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA");
  CAPTURE(alg);
  const SigningKey& key = key_for(alg);
  JwtVerifier verifier(standard_policy());
  std::string token = testing::mint_jwt(key, svid_claims(), {.alg = alg});
  JwtResult result = verifier.verify(token, TokenKind::kJwtSvid, kNow);
  INFO(result.error);
  REQUIRE(result.verified);
  CHECK(result.failure == JwtFailure::kNone);
  CHECK(result.error.empty());
  CHECK(result.claims.algorithm == alg);
  CHECK(result.claims.key_id == key.kid());
  CHECK(result.claims.subject == kWorkload);
  CHECK(result.claims.trust_domain == kTrustDomain);
  CHECK(result.claims.audience == std::vector<std::string>{kAudience});
  CHECK(result.claims.issued_at == kNow);
  CHECK(result.claims.expires_at == kNow + 300);
  CHECK_FALSE(result.claims.not_before.has_value());
  CHECK(result.claims.token_sha256 == sha256_hex(token));
}

TEST_CASE("an OIDC token verifies with every accepted algorithm", "[identity]") {
  std::string alg = GENERATE("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256");
  CAPTURE(alg);
  const SigningKey& key = alg == "ES256" ? keys().p256 : keys().rsa;
  JwtVerifier verifier(standard_policy());
  JwtResult result = verifier.verify(testing::mint_jwt(key, github_claims(), {.alg = alg}),
                                     TokenKind::kOidc, kNow);
  INFO(result.error);
  CHECK(result.verified);
}

TEST_CASE("an OIDC token carries the GitHub Actions claims", "[identity]") {
  JwtVerifier verifier(standard_policy());
  testing::GithubActionsRun run;
  run.repository = "acme/deployer";
  run.repository_id = "987654";
  run.environment = "staging";
  json claims = testing::github_actions_claims(run, kAudience, kNow);
  JwtResult result = verifier.verify(testing::mint_jwt(keys().rsa, claims), TokenKind::kOidc, kNow);
  INFO(result.error);
  REQUIRE(result.verified);
  CHECK(result.claims.issuer == testing::kGithubActionsIssuer);
  CHECK(result.claims.subject == "repo:acme/deployer:environment:staging");
  CHECK(result.claims.repository == "acme/deployer");
  CHECK(result.claims.repository_id == "987654");
  CHECK(result.claims.environment == "staging");
  CHECK(result.claims.job_workflow_ref ==
        "acme/deployer/.github/workflows/deploy.yml@refs/heads/main");
  CHECK(result.claims.not_before == kNow);
  CHECK(result.claims.trust_domain.empty());

  SECTION("repository_id as a number") {
    claims["repository_id"] = 987654;
    result = verifier.verify(testing::mint_jwt(keys().rsa, claims), TokenKind::kOidc, kNow);
    REQUIRE(result.verified);
    CHECK(result.claims.repository_id == "987654");
  }
  SECTION("GitHub claims of other types are left empty") {
    claims["environment"] = json::array({"x"});
    result = verifier.verify(testing::mint_jwt(keys().rsa, claims), TokenKind::kOidc, kNow);
    REQUIRE(result.verified);
    CHECK(result.claims.environment.empty());
  }
}

TEST_CASE("header variants the standards allow", "[identity]") {
  JwtVerifier verifier(standard_policy());
  auto verify = [&](const testing::JwtOptions& options) {
    return verifier.verify(testing::mint_jwt(keys().p256, svid_claims(), options),
                           TokenKind::kJwtSvid, kNow);
  };
  CHECK(verify({.typ = std::nullopt}).verified);
  CHECK(verify({.typ = "JOSE"}).verified);
  CHECK(verify({.typ = "jwt"}).verified);
  CHECK(verify({.typ = "jose"}).verified);
  // Keys come from configuration only: an embedded key or key URL is ignored, not trusted.
  CHECK(verify({.extra_header = {{"jku", "https://evil.example/jwks"}}}).verified);
  CHECK(verify({.extra_header = {{"jwk", keys().stranger.public_jwk()}}}).verified);
}

TEST_CASE("without kid, the only key of a one-key set is used", "[identity]") {
  JwtVerifier verifier(standard_policy());
  std::string token =
      testing::mint_jwt(keys().staging, testing::jwt_svid_claims(kOtherWorkload, kAudience, kNow),
                        {.include_kid = false});
  JwtResult result = verifier.verify(token, TokenKind::kJwtSvid, kNow);
  INFO(result.error);
  CHECK(result.verified);
  CHECK(result.claims.key_id.empty());
  CHECK(result.claims.trust_domain == kOtherTrustDomain);
}

TEST_CASE("fractional NumericDates are rounded down", "[identity]") {
  JwtVerifier verifier(standard_policy());
  json claims = svid_claims();
  claims["exp"] = kNow + 100.9;
  claims["iat"] = kNow - 0.5;
  claims["nbf"] = static_cast<double>(kNow);
  JwtResult result =
      verifier.verify(testing::mint_jwt(keys().p256, claims), TokenKind::kJwtSvid, kNow);
  INFO(result.error);
  REQUIRE(result.verified);
  CHECK(result.claims.expires_at == kNow + 100);
  CHECK(result.claims.issued_at == kNow - 1);
  CHECK(result.claims.not_before == kNow);
}

}  // namespace
}  // namespace crossgate::identity
