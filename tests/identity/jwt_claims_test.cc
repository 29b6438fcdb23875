// The claims checks: validity period with leeway, audience, and the claims that select
// the signer (issuer, SPIFFE subject and its trust domain).
#include "policy/identity/jwt_claims.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "policy/identity/jwt.h"
#include "tests/identity/fixtures.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::identity {
namespace {

using Catch::Matchers::ContainsSubstring;
using nlohmann::json;
using namespace test;

JwtResult verify_svid(const json& claims, std::int64_t now = kNow,
                      const SigningKey& key = keys().p256) {
  JwtVerifier verifier(standard_policy());
  return verifier.verify(testing::mint_jwt(key, claims), TokenKind::kJwtSvid, now);
}

JwtResult verify_oidc(const json& claims, const SigningKey& key = keys().rsa) {
  JwtVerifier verifier(standard_policy());
  return verifier.verify(testing::mint_jwt(key, claims), TokenKind::kOidc, kNow);
}

void check_refused(const JwtResult& result, JwtFailure failure, const std::string& message) {
  INFO("error: " << result.error);
  CHECK_FALSE(result.verified);
  CHECK(result.failure == failure);
  CHECK_THAT(result.error, ContainsSubstring(message));
}

TEST_CASE("expiry, with leeway", "[identity]") {
  json claims = svid_claims(kNow - 1000, 600);  // exp = kNow - 400
  check_refused(verify_svid(claims), JwtFailure::kExpired, "token expired at 2027-01-15T07:53:20Z");
  claims["exp"] = kNow - 30;  // exactly at the end of the leeway
  check_refused(verify_svid(claims), JwtFailure::kExpired, "token expired at");
  claims["exp"] = kNow - 29;  // within the leeway
  CHECK(verify_svid(claims).verified);
  claims["exp"] = kNow + 1;
  CHECK(verify_svid(claims).verified);
}

TEST_CASE("exp is required and must be a NumericDate", "[identity]") {
  json claims = svid_claims();
  claims.erase("exp");
  check_refused(verify_svid(claims), JwtFailure::kClaims, "no expiration time (\"exp\")");
  claims["exp"] = std::to_string(kNow + 60);
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"exp\" must be a number, not string");
  claims["exp"] = true;
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"exp\" must be a number, not boolean");
  claims["exp"] = 1e300;
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"exp\" is out of range");
  claims["exp"] = std::numeric_limits<std::uint64_t>::max();
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"exp\" is out of range");
  claims["exp"] = std::numeric_limits<std::int64_t>::max();  // saturates, does not overflow
  CHECK(verify_svid(claims).verified);
  claims["exp"] = kNow + 60;
  claims["iat"] = "yesterday";
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"iat\" must be a number");
  claims.erase("iat");
  claims["nbf"] = nullptr;
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"nbf\" must be a number, not null");
}

TEST_CASE("not before, with leeway", "[identity]") {
  json claims = svid_claims();
  claims["nbf"] = kNow + 31;
  check_refused(verify_svid(claims), JwtFailure::kNotYetValid,
                "token not valid before 2027-01-15T08:00:31Z");
  claims["nbf"] = kNow + 30;
  CHECK(verify_svid(claims).verified);
}

TEST_CASE("issued in the future, with leeway", "[identity]") {
  json claims = svid_claims();
  claims["iat"] = kNow + 3600;
  check_refused(verify_svid(claims), JwtFailure::kNotYetValid,
                "token issued in the future (at 2027-01-15T09:00:00Z)");
  claims["iat"] = kNow + 30;
  CHECK(verify_svid(claims).verified);
  claims.erase("iat");  // optional
  CHECK(verify_svid(claims).verified);
}

TEST_CASE("a negative leeway counts as none", "[identity]") {
  JwtPolicy policy = standard_policy();
  policy.leeway_seconds = -100;
  JwtVerifier verifier(std::move(policy));
  json claims = svid_claims();
  claims["exp"] = kNow + 1;
  CHECK(
      verifier.verify(testing::mint_jwt(keys().p256, claims), TokenKind::kJwtSvid, kNow).verified);
}

TEST_CASE("audience", "[identity]") {
  json claims = svid_claims();
  claims.erase("aud");
  check_refused(verify_svid(claims), JwtFailure::kAudience, "token has no audience (\"aud\")");
  claims["aud"] = json::array();
  check_refused(verify_svid(claims), JwtFailure::kAudience, "token has no audience");
  claims["aud"] = "reports";
  check_refused(verify_svid(claims), JwtFailure::kAudience,
                "token audience does not include \"crossgate\"");
  claims["aud"] = json::array({"reports", "billing"});
  check_refused(verify_svid(claims), JwtFailure::kAudience, "does not include \"crossgate\"");
  claims["aud"] = "Crossgate";
  check_refused(verify_svid(claims), JwtFailure::kAudience, "does not include");
  claims["aud"] = json::array({"reports", "crossgate"});
  JwtResult result = verify_svid(claims);
  CHECK(result.verified);
  CHECK(result.claims.audience == std::vector<std::string>{"reports", "crossgate"});
  claims["aud"] = json::array({"crossgate", 7});
  check_refused(verify_svid(claims), JwtFailure::kClaims, "\"aud\" must hold only strings");
  claims["aud"] = json::object();
  check_refused(verify_svid(claims), JwtFailure::kClaims,
                "\"aud\" must be a string or an array of strings, not object");
}

TEST_CASE("an empty configured audience accepts nothing", "[identity]") {
  JwtPolicy policy = standard_policy();
  policy.audience.clear();
  JwtVerifier verifier(std::move(policy));
  json claims = svid_claims();
  claims["aud"] = "";
  JwtResult result =
      verifier.verify(testing::mint_jwt(keys().p256, claims), TokenKind::kJwtSvid, kNow);
  check_refused(result, JwtFailure::kAudience, "no audience is configured");
}

TEST_CASE("OIDC: the issuer must be configured exactly", "[identity]") {
  json claims = github_claims();
  claims["iss"] = "https://token.actions.githubusercontent.com/";
  check_refused(verify_oidc(claims), JwtFailure::kUntrustedKey,
                "issuer \"https://token.actions.githubusercontent.com/\" is not configured");
  claims["iss"] = "https://evil.example.com";
  check_refused(verify_oidc(claims), JwtFailure::kUntrustedKey, "is not configured");
  claims.erase("iss");
  check_refused(verify_oidc(claims), JwtFailure::kClaims, "OIDC token has no issuer (\"iss\")");
  claims["iss"] = 42;
  check_refused(verify_oidc(claims), JwtFailure::kClaims, "claim \"iss\" must be a string");
  claims = github_claims();
  claims.erase("sub");
  check_refused(verify_oidc(claims), JwtFailure::kClaims, "OIDC token has no subject (\"sub\")");
}

TEST_CASE("OIDC: a key of another configured party does not sign for the issuer", "[identity]") {
  // ed-1 belongs to the prod trust domain, not to the GitHub issuer.
  check_refused(verify_oidc(github_claims(), keys().ed25519), JwtFailure::kUntrustedKey,
                "no key \"ed-1\" in the key set of issuer");
}

TEST_CASE("JWT-SVID: the subject must be a workload SPIFFE ID", "[identity]") {
  json claims = svid_claims();
  claims["sub"] = "repo:octo-org/octo-repo:environment:prod";
  check_refused(verify_svid(claims), JwtFailure::kClaims,
                "JWT-SVID subject is not a SPIFFE ID: the scheme is not spiffe://");
  claims["sub"] = "spiffe://prod.example.com/ns/app/";
  check_refused(verify_svid(claims), JwtFailure::kClaims, "trailing slash");
  claims["sub"] = "spiffe://prod.example.com";
  check_refused(verify_svid(claims), JwtFailure::kClaims, "no path");
  claims["sub"] = "spiffe://PROD.example.com/ns/app";
  check_refused(verify_svid(claims), JwtFailure::kClaims, "lowercase");
  claims.erase("sub");
  check_refused(verify_svid(claims), JwtFailure::kClaims, "JWT-SVID has no subject (\"sub\")");
  claims["sub"] = json::array({kWorkload});
  check_refused(verify_svid(claims), JwtFailure::kClaims, "claim \"sub\" must be a string");
}

TEST_CASE("JWT-SVID: the trust domain must be configured", "[identity]") {
  json claims = svid_claims();
  claims["sub"] = "spiffe://dev.example.com/ns/payments/sa/api";
  JwtResult result = verify_svid(claims);
  check_refused(result, JwtFailure::kUntrustedKey,
                "trust domain \"dev.example.com\" is not configured");
  CHECK(result.claims.trust_domain == "dev.example.com");
}

TEST_CASE("JWT-SVID: signed by another trust domain's key", "[identity]") {
  // staging's key signs an ID of prod: prod's key set has no such kid.
  check_refused(verify_svid(svid_claims(), kNow, keys().staging), JwtFailure::kUntrustedKey,
                "no key \"staging-1\" in the key set of trust domain \"prod.example.com\"");
  // ... and with prod's kid it does not verify.
  JwtVerifier verifier(standard_policy());
  std::string token =
      testing::mint_jwt(keys().staging, svid_claims(), {.extra_header = {{"kid", "p256-1"}}});
  check_refused(verifier.verify(token, TokenKind::kJwtSvid, kNow), JwtFailure::kSignature,
                "signature does not verify");
  // A staging SVID is fine with staging's key.
  CHECK(verify_svid(testing::jwt_svid_claims(kOtherWorkload, kAudience, kNow), kNow, keys().staging)
            .verified);
}

TEST_CASE("a token verified as one kind is not accepted as the other", "[identity]") {
  JwtVerifier verifier(standard_policy());
  // An OIDC token from GitHub presented as a JWT-SVID: its subject is no SPIFFE ID.
  std::string github = testing::mint_jwt(keys().rsa, github_claims());
  REQUIRE(verifier.verify(github, TokenKind::kOidc, kNow).verified);
  CHECK(verifier.verify(github, TokenKind::kJwtSvid, kNow).failure == JwtFailure::kClaims);
  // A JWT-SVID (no issuer) presented as an OIDC token.
  std::string svid = testing::mint_jwt(keys().p256, svid_claims());
  REQUIRE(verifier.verify(svid, TokenKind::kJwtSvid, kNow).verified);
  CHECK(verifier.verify(svid, TokenKind::kOidc, kNow).failure == JwtFailure::kClaims);
}

TEST_CASE("iso8601_utc", "[identity]") {
  CHECK(iso8601_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(iso8601_utc(kNow) == "2027-01-15T08:00:00Z");
  CHECK(iso8601_utc(951782400) == "2000-02-29T00:00:00Z");
  CHECK(iso8601_utc(-1) == "1969-12-31T23:59:59Z");
  CHECK(iso8601_utc(253402300799) == "9999-12-31T23:59:59Z");
  CHECK(iso8601_utc(253402300800) == "253402300800 seconds since the epoch");
}

}  // namespace
}  // namespace crossgate::identity
