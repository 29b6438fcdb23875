// Times read from tokens, verified or not, as the identity carries them on: any int64 of
// seconds is a valid NumericDate, so they are bounded to 1970..9999 before they become
// milliseconds (authorize_request_fuzzer found an iat of 1.8e17 s overflowing the
// conversion). Tokens are minted here with keys generated here.
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <limits>

#include "policy/decision/identity_resolver.h"
#include "policy/identity/jwks.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::decision {
namespace {

namespace t = crossgate::testing;

constexpr std::int64_t kNow = 1'800'000'000;  // seconds
constexpr UnixMillis kLastMillisOf9999 = 253402300799000;

struct World {
  t::SigningKey key = t::SigningKey::ec_p256("spiffe-1");
  IdentityResolver resolver{verifier()};

  std::shared_ptr<identity::JwtVerifier> verifier() {
    identity::JwtPolicy policy;
    policy.audience = "crossgate";
    auto parsed = identity::JwkSet::parse(t::jwks_json({&key}), "test");
    REQUIRE(parsed.ok());
    policy.trust_domains.push_back(
        {"example.org", std::make_shared<const identity::JwkSet>(std::move(parsed.value()))});
    return std::make_shared<identity::JwtVerifier>(std::move(policy));
  }

  VerifiedIdentity resolve(const std::string& token) {
    DecisionRequest request;
    request.evidence = EvidenceType::kJwtSvid;
    request.token = token;
    return resolver.resolve(request, Caller{}, kNow * 1000);
  }
};

TEST_CASE("an unverified token's huge iat is bounded, not overflowed",
          "[identity-resolver][fuzz-regression]") {
  World w;
  nlohmann::json claims = t::jwt_svid_claims("spiffe://example.org/app", "crossgate", kNow);
  claims["iat"] = 179578071796781100;  // the fuzzer's value
  claims["nbf"] = std::numeric_limits<std::int64_t>::min();
  std::string token = t::corrupt_signature(t::mint_jwt(w.key, claims));
  VerifiedIdentity id = w.resolve(token);
  CHECK_FALSE(id.verified);
  REQUIRE(id.issued_at.has_value());
  CHECK(*id.issued_at == kLastMillisOf9999);
  REQUIRE(id.not_before.has_value());
  CHECK(*id.not_before == 0);
}

TEST_CASE("a verified token expiring after year 9999 still verifies, its expiry bounded",
          "[identity-resolver][fuzz-regression]") {
  World w;
  nlohmann::json claims = t::jwt_svid_claims("spiffe://example.org/app", "crossgate", kNow);
  claims["exp"] = std::numeric_limits<std::int64_t>::max();
  VerifiedIdentity id = w.resolve(t::mint_jwt(w.key, claims));
  CHECK(id.verified);
  REQUIRE(id.expires_at.has_value());
  CHECK(*id.expires_at == kLastMillisOf9999);
  REQUIRE(id.issued_at.has_value());
  CHECK(*id.issued_at == kNow * 1000);
}

}  // namespace
}  // namespace crossgate::decision
