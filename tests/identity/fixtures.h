// Shared fixtures of the identity tests: keys generated once per test run (RSA generation
// is slow), and a verifier policy with two SPIFFE trust domains and the GitHub issuer.
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "policy/identity/jwks.h"
#include "policy/identity/jwt.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::identity::test {

using testing::SigningKey;

inline constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
inline constexpr const char* kAudience = "crossgate";
inline constexpr const char* kTrustDomain = "prod.example.com";
inline constexpr const char* kOtherTrustDomain = "staging.example.com";
inline constexpr const char* kWorkload = "spiffe://prod.example.com/ns/payments/sa/api";
inline constexpr const char* kOtherWorkload = "spiffe://staging.example.com/ns/payments/sa/api";

// Generated on first use. One RSA key only: RSA generation dominates the tests' run time.
struct Keys {
  SigningKey rsa = SigningKey::rsa("rsa-1");
  SigningKey p256 = SigningKey::ec_p256("p256-1");
  SigningKey p384 = SigningKey::ec_p384("p384-1");
  SigningKey ed25519 = SigningKey::ed25519("ed-1");
  SigningKey staging = SigningKey::ec_p256("staging-1");  // the other trust domain's key
  SigningKey stranger = SigningKey::ec_p256("p256-1");    // same kid as p256, not configured
};

inline const Keys& keys() {
  static const Keys instance;
  return instance;
}

inline std::shared_ptr<const JwkSet> key_set(const std::string& jwks) {
  auto set = JwkSet::parse(jwks, "test jwks");
  INFO((set.ok() ? std::string() : set.message()));
  REQUIRE(set.ok());
  return std::make_shared<const JwkSet>(std::move(set).value());
}

// prod.example.com: rsa, p256, p384, ed25519; staging.example.com: staging;
// GitHub Actions: rsa and p256. The keys are shared with prod only to keep RSA key
// generation to one key per test process; a key set never implies who may use it.
inline JwtPolicy standard_policy() {
  const Keys& k = keys();
  JwtPolicy policy;
  policy.audience = kAudience;
  policy.leeway_seconds = 30;
  policy.trust_domains.push_back(
      {kTrustDomain, key_set(testing::jwks_json({&k.rsa, &k.p256, &k.p384, &k.ed25519}))});
  policy.trust_domains.push_back({kOtherTrustDomain, key_set(testing::jwks_json({&k.staging}))});
  policy.issuers.push_back(
      {std::string(testing::kGithubActionsIssuer), key_set(testing::jwks_json({&k.rsa, &k.p256}))});
  return policy;
}

inline nlohmann::json svid_claims(std::int64_t now = kNow, std::int64_t lifetime = 300) {
  return testing::jwt_svid_claims(kWorkload, kAudience, now, lifetime);
}

inline nlohmann::json github_claims(std::int64_t now = kNow, std::int64_t lifetime = 300) {
  return testing::github_actions_claims({}, kAudience, now, lifetime);
}

}  // namespace crossgate::identity::test
