// The verified-token cache: hits skip the signature but not the time checks, expired and
// least recently used entries leave, and concurrent use from many threads is safe.
#include "policy/identity/token_cache.h"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <thread>

#include "policy/identity/jwt.h"
#include "tests/identity/fixtures.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::identity {
namespace {

using Catch::Matchers::ContainsSubstring;
using nlohmann::json;
using namespace test;

TokenCache::Key key_of(unsigned char first, unsigned char last = 0) {
  TokenCache::Key key{};
  key[0] = first;
  key[10] = first;
  key.back() = last;
  return key;
}

std::shared_ptr<const JwtClaims> claims_named(std::string subject) {
  auto claims = std::make_shared<JwtClaims>();
  claims->subject = std::move(subject);
  return claims;
}

TEST_CASE("a second verification of the same token is a cache hit", "[identity]") {
  JwtVerifier verifier(standard_policy());
  std::string token = testing::mint_jwt(keys().rsa, svid_claims(), {.alg = "PS256"});
  JwtResult first = verifier.verify(token, TokenKind::kJwtSvid, kNow);
  REQUIRE(first.verified);
  CHECK(verifier.cache_stats().misses == 1);
  CHECK(verifier.cache_stats().hits == 0);
  CHECK(verifier.cache_stats().entries == 1);

  JwtResult second = verifier.verify(token, TokenKind::kJwtSvid, kNow + 10);
  REQUIRE(second.verified);
  CHECK(verifier.cache_stats().hits == 1);
  CHECK(verifier.cache_stats().misses == 1);
  CHECK(second.claims.subject == first.claims.subject);
  CHECK(second.claims.trust_domain == kTrustDomain);
  CHECK(second.claims.algorithm == "PS256");
  CHECK(second.claims.token_sha256 == first.claims.token_sha256);
  CHECK(second.claims.expires_at == first.claims.expires_at);
}

TEST_CASE("a cached token is refused once it expires, and leaves the cache", "[identity]") {
  JwtVerifier verifier(standard_policy());
  std::string token = testing::mint_jwt(keys().p256, svid_claims(kNow, 60));
  REQUIRE(verifier.verify(token, TokenKind::kJwtSvid, kNow).verified);
  REQUIRE(verifier.verify(token, TokenKind::kJwtSvid, kNow + 89).verified);  // within leeway
  JwtResult late = verifier.verify(token, TokenKind::kJwtSvid, kNow + 90);
  CHECK_FALSE(late.verified);
  CHECK(late.failure == JwtFailure::kExpired);
  CHECK_THAT(late.error, ContainsSubstring("token expired at 2027-01-15T08:01:00Z"));
  CHECK(late.claims.subject == kWorkload);
  auto stats = verifier.cache_stats();
  CHECK(stats.hits == 2);
  CHECK(stats.entries == 0);
}

TEST_CASE("a cached token is still checked for nbf at each use", "[identity]") {
  JwtVerifier verifier(standard_policy());
  json claims = svid_claims();
  claims["nbf"] = kNow;
  std::string token = testing::mint_jwt(keys().p256, claims);
  REQUIRE(verifier.verify(token, TokenKind::kJwtSvid, kNow).verified);
  JwtResult early = verifier.verify(token, TokenKind::kJwtSvid, kNow - 31);
  CHECK(early.failure == JwtFailure::kNotYetValid);
  CHECK(verifier.cache_stats().hits == 1);
}

TEST_CASE("a different token with the same claims misses", "[identity]") {
  JwtVerifier verifier(standard_policy());
  // ECDSA signatures are randomized: the same claims give another token.
  std::string first = testing::mint_jwt(keys().p256, svid_claims());
  std::string second = testing::mint_jwt(keys().p256, svid_claims());
  REQUIRE(first != second);
  REQUIRE(verifier.verify(first, TokenKind::kJwtSvid, kNow).verified);
  JwtResult result = verifier.verify(second, TokenKind::kJwtSvid, kNow);
  REQUIRE(result.verified);
  CHECK(verifier.cache_stats().hits == 0);
  CHECK(verifier.cache_stats().misses == 2);
  CHECK(verifier.cache_stats().entries == 2);
  // A forgery with a cached token's claims but a bad signature is not served from the cache.
  std::string forged = testing::corrupt_signature(first);
  CHECK(verifier.verify(forged, TokenKind::kJwtSvid, kNow).failure == JwtFailure::kSignature);
}

TEST_CASE("failed verifications are not cached", "[identity]") {
  JwtVerifier verifier(standard_policy());
  json claims = svid_claims();
  claims["aud"] = "someone-else";
  std::string token = testing::mint_jwt(keys().p256, claims);
  CHECK_FALSE(verifier.verify(token, TokenKind::kJwtSvid, kNow).verified);
  CHECK_FALSE(verifier.verify(token, TokenKind::kJwtSvid, kNow).verified);
  CHECK(verifier.cache_stats().entries == 0);
  CHECK(verifier.cache_stats().hits == 0);
  CHECK(verifier.cache_stats().misses == 2);
}

TEST_CASE("capacity 0 disables the cache", "[identity]") {
  JwtVerifier verifier(standard_policy(), 0);
  std::string token = testing::mint_jwt(keys().p256, svid_claims());
  CHECK(verifier.verify(token, TokenKind::kJwtSvid, kNow).verified);
  CHECK(verifier.verify(token, TokenKind::kJwtSvid, kNow).verified);
  CHECK(verifier.cache_stats().entries == 0);
  CHECK(verifier.cache_stats().hits == 0);
}

TEST_CASE("the verifier's cache is bounded", "[identity]") {
  JwtVerifier verifier(standard_policy(), 3);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(verifier
                .verify(testing::mint_jwt(keys().ed25519, svid_claims(kNow + i)),
                        TokenKind::kJwtSvid, kNow + i)
                .verified);
  }
  CHECK(verifier.cache_stats().entries == 3);
}

TEST_CASE("TokenCache evicts the least recently used entry", "[identity]") {
  TokenCache cache(2, 1);
  cache.insert(key_of(1), claims_named("one"), 1000, 0);
  cache.insert(key_of(2), claims_named("two"), 1000, 0);
  REQUIRE(cache.find(key_of(1), 0) != nullptr);  // "one" is now more recent than "two"
  cache.insert(key_of(3), claims_named("three"), 1000, 0);
  CHECK(cache.find(key_of(2), 0) == nullptr);
  CHECK(cache.find(key_of(1), 0)->subject == "one");
  CHECK(cache.find(key_of(3), 0)->subject == "three");
  CHECK(cache.stats().entries == 2);
  CHECK(cache.stats().hits == 3);
  CHECK(cache.stats().misses == 1);
}

TEST_CASE("TokenCache drops expired entries when inserting", "[identity]") {
  TokenCache cache(10, 1);
  cache.insert(key_of(1), claims_named("short"), 100, 0);
  cache.insert(key_of(2), claims_named("long"), 1000, 0);
  cache.insert(key_of(3), claims_named("already over"), 50, 60);  // not stored
  CHECK(cache.stats().entries == 2);
  cache.insert(key_of(4), claims_named("new"), 1000, 100);  // "short" is over at 100
  CHECK(cache.stats().entries == 2);
  CHECK(cache.find(key_of(1), 0) == nullptr);
  CHECK(cache.find(key_of(2), 100) != nullptr);
}

TEST_CASE("TokenCache returns an entry over at now once, then forgets it", "[identity]") {
  TokenCache cache(10, 4);
  cache.insert(key_of(7), claims_named("x"), 100, 0);
  CHECK(cache.find(key_of(7), 99) != nullptr);
  CHECK(cache.find(key_of(7), 100) != nullptr);
  CHECK(cache.find(key_of(7), 50) == nullptr);
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("TokenCache keys differ by token kind", "[identity]") {
  TokenCache cache(10, 16);
  cache.insert(key_of(9, 0), claims_named("svid"), 100, 0);
  CHECK(cache.find(key_of(9, 1), 0) == nullptr);
  CHECK(cache.find(key_of(9, 0), 0) != nullptr);
}

TEST_CASE("concurrent verification from many threads", "[identity]") {
  JwtVerifier verifier(standard_policy(), 100000);
  std::vector<std::string> tokens;
  const SigningKey* signers[] = {&keys().rsa, &keys().p256, &keys().p384, &keys().ed25519};
  for (int i = 0; i < 16; ++i) {
    json claims = svid_claims();
    claims["jti"] = i;
    tokens.push_back(testing::mint_jwt(*signers[i % 4], claims));
  }
  tokens.push_back(testing::corrupt_signature(tokens[0]));  // always refused

  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  std::atomic<int> accepted{0}, refused{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        std::size_t index = static_cast<std::size_t>(t + round) % tokens.size();
        JwtResult result = verifier.verify(tokens[index], TokenKind::kJwtSvid, kNow + round % 5);
        bool should_pass = index + 1 < tokens.size();
        if (result.verified != should_pass || (should_pass && result.claims.subject != kWorkload)) {
          ++wrong;
        }
        ++(result.verified ? accepted : refused);
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(wrong == 0);
  CHECK(accepted + refused == kThreads * kRounds);
  auto stats = verifier.cache_stats();
  CHECK(stats.entries == 16);
  CHECK(stats.hits + stats.misses == static_cast<std::uint64_t>(kThreads * kRounds));
  CHECK(stats.hits >= static_cast<std::uint64_t>(accepted.load()) - 16 * kThreads);
}

}  // namespace
}  // namespace crossgate::identity
