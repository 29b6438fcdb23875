// Tokens that must be refused before their claims are trusted: malformed serialization,
// refused algorithms and headers, keys that do not fit, and signatures that do not verify.
// Every refusal names what is wrong and never quotes the token or its signature.
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

// Verifies `token` as a JWT-SVID and checks that it is refused with `failure` and a
// message containing `message`, which quotes no part of the token.
void check_refused(std::string_view token, JwtFailure failure, std::string_view message,
                   TokenKind kind = TokenKind::kJwtSvid) {
  JwtVerifier verifier(standard_policy());
  JwtResult result = verifier.verify(token, kind, kNow);
  INFO("error: " << result.error);
  CHECK_FALSE(result.verified);
  CHECK(result.failure == failure);
  CHECK_THAT(result.error, ContainsSubstring(std::string(message)));
  // No part of the token (header, payload, signature) appears in the message.
  std::size_t start = 0;
  while (start <= token.size()) {
    std::size_t end = std::min(token.find('.', start), token.size());
    std::string_view part = token.substr(start, end - start);
    if (part.size() >= 8) CHECK_THAT(result.error, !ContainsSubstring(std::string(part)));
    start = end + 1;
  }
  CHECK(verifier.cache_stats().entries == 0);  // failures are not cached
}

std::string valid_token() {
  return testing::mint_jwt(keys().p256, svid_claims());
}

std::string header_part(std::string_view token) {
  return std::string(token.substr(0, token.find('.')));
}

std::string with_header(const json& header) {
  std::string token = valid_token();
  return testing::base64url(header.dump()) + token.substr(token.find('.'));
}

TEST_CASE("refused: alg none", "[identity]") {
  check_refused(testing::mint_unsigned_jwt(svid_claims()), JwtFailure::kAlgorithm,
                "algorithm \"none\" is refused");
}

TEST_CASE("refused: HS256, even with a kid of a configured key", "[identity]") {
  // The classic confusion attack: the RSA public key's bytes as an HMAC secret.
  std::string secret = keys().rsa.public_key_pem();
  check_refused(testing::mint_hs256_jwt(secret, svid_claims(), "rsa-1"), JwtFailure::kAlgorithm,
                "algorithm \"HS256\" is refused (HMAC");
  check_refused(with_header({{"alg", "HS512"}, {"kid", "rsa-1"}}), JwtFailure::kAlgorithm,
                "\"HS512\" is refused");
}

TEST_CASE("refused: algorithms that are not accepted are named", "[identity]") {
  check_refused(with_header({{"alg", "ES512"}}), JwtFailure::kAlgorithm,
                "algorithm \"ES512\" is not supported");
  check_refused(with_header({{"alg", "rs256"}}), JwtFailure::kAlgorithm, "\"rs256\"");
  check_refused(with_header({{"alg", "Ed25519"}}), JwtFailure::kAlgorithm, "\"Ed25519\"");
  check_refused(with_header({{"alg", ""}}), JwtFailure::kAlgorithm, "algorithm \"\"");
  check_refused(with_header({{"alg", "RS256\n\x01"}}), JwtFailure::kAlgorithm,
                "\"RS256\\x0a\\x01\"");
  check_refused(with_header({{"alg", std::string(500, 'A')}}), JwtFailure::kAlgorithm, "...\"");
  check_refused(with_header({{"typ", "JWT"}}), JwtFailure::kMalformed, "has no \"alg\"");
  check_refused(with_header({{"alg", 256}}), JwtFailure::kMalformed, "\"alg\" must be a string");
}

TEST_CASE("refused: crit", "[identity]") {
  std::string token = testing::mint_jwt(keys().p256, svid_claims(),
                                        {.extra_header = {{"crit", {"b64"}}, {"b64", false}}});
  check_refused(token, JwtFailure::kMalformed, "\"crit\"");
  check_refused(
      testing::mint_jwt(keys().p256, svid_claims(), {.extra_header = {{"crit", json::array()}}}),
      JwtFailure::kMalformed, "critical extensions");
}

TEST_CASE("refused: typ other than JWT or JOSE", "[identity]") {
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.typ = "at+jwt"}),
                JwtFailure::kMalformed, "token type (\"typ\") \"at+jwt\" is not JWT or JOSE");
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.typ = "JWE"}),
                JwtFailure::kMalformed, "is not JWT or JOSE");
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.extra_header = {{"typ", 1}}}),
                JwtFailure::kMalformed, "integer is not JWT or JOSE");
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.extra_header = {{"kid", 1}}}),
                JwtFailure::kMalformed, "\"kid\" must be a string");
}

TEST_CASE("refused: not three base64url parts", "[identity]") {
  std::string token = valid_token();
  check_refused("", JwtFailure::kMalformed, "token is empty");
  check_refused(header_part(token), JwtFailure::kMalformed, "token has 1 part;");
  check_refused(token.substr(0, token.rfind('.')), JwtFailure::kMalformed, "token has 2 parts");
  check_refused(token + ".", JwtFailure::kMalformed, "token has 4 parts");
  check_refused(token + "." + header_part(token) + "." + header_part(token), JwtFailure::kMalformed,
                "token has 5 parts");
  // JWE compact serialization has five parts.
  check_refused("a.b.c.d.e", JwtFailure::kMalformed, "a compact JWS has 3");
}

TEST_CASE("refused: bad base64url in any part", "[identity]") {
  std::string token = valid_token();
  std::size_t first = token.find('.'), second = token.rfind('.');
  std::string header = token.substr(0, first);
  std::string payload = token.substr(first + 1, second - first - 1);
  std::string signature = token.substr(second + 1);

  check_refused("*" + token.substr(1), JwtFailure::kMalformed, "token header is not base64url");
  check_refused(header + ".pay load." + signature, JwtFailure::kMalformed,
                "token payload is not base64url");
  check_refused(header + "." + payload + ".sig+nature", JwtFailure::kMalformed,
                "token signature is not base64url");
  check_refused(header + "." + payload + ".", JwtFailure::kMalformed, "signature is empty");
  check_refused(header + ".." + signature, JwtFailure::kMalformed,
                "token payload is not valid JSON");
  check_refused(" " + token, JwtFailure::kMalformed, "not base64url");
}

TEST_CASE("refused: base64 padding", "[identity]") {
  // A one-byte-short part: its unpadded length is not a multiple of 4, so padding is
  // possible; add it to the header, the payload and the signature in turn.
  std::string header = testing::base64url(R"({"alg":"ES256","kid":"p256-1"} )");
  std::string payload = testing::base64url(svid_claims().dump() + " ");
  std::string signature = testing::base64url(std::string(64, '\x01'));
  auto pad = [](std::string part) {
    while (part.size() % 4 != 0)
      part += '=';
    return part;
  };
  REQUIRE(pad(header) != header);
  REQUIRE(pad(payload) != payload);
  REQUIRE(pad(signature) != signature);
  check_refused(pad(header) + "." + payload + "." + signature, JwtFailure::kMalformed,
                "header is not base64url: padding ('=') is not allowed");
  check_refused(header + "." + pad(payload) + "." + signature, JwtFailure::kMalformed,
                "payload is not base64url: padding");
  check_refused(header + "." + payload + "." + pad(signature), JwtFailure::kMalformed,
                "signature is not base64url: padding");
}

TEST_CASE("refused: header or payload that is not a JSON object", "[identity]") {
  std::string sig(64, '\x01');
  std::string claims = svid_claims().dump();
  check_refused(testing::assemble_jws("not json", claims, sig), JwtFailure::kMalformed,
                "token header is not valid JSON");
  check_refused(testing::assemble_jws(R"({"alg":"ES256","alg":"none"})", claims, sig),
                JwtFailure::kMalformed, "token header is not valid JSON");  // duplicate key
  check_refused(testing::assemble_jws(R"(["ES256"])", claims, sig), JwtFailure::kMalformed,
                "token header must be a JSON object, not array");
  check_refused(testing::assemble_jws(R"({"alg":"ES256"})", "{\"sub\": ", sig),
                JwtFailure::kMalformed, "token payload is not valid JSON");
  check_refused(testing::assemble_jws(R"({"alg":"ES256"})", "\"claims\"", sig),
                JwtFailure::kMalformed, "token payload must be a JSON object, not string");
  check_refused(testing::assemble_jws(R"({"alg":"ES256"})", std::string(100, '['), sig),
                JwtFailure::kMalformed, "token payload is not valid JSON");  // too deep
}

TEST_CASE("refused: tokens over 16 KiB, before decoding", "[identity]") {
  json claims = svid_claims();
  claims["padding"] = std::string(16 * 1024, 'x');
  std::string token = testing::mint_jwt(keys().p256, claims);
  JwtVerifier verifier(standard_policy());
  JwtResult result = verifier.verify(token, TokenKind::kJwtSvid, kNow);
  CHECK_FALSE(result.verified);
  CHECK(result.failure == JwtFailure::kMalformed);
  CHECK(result.error == "token is larger than 16384 bytes");
  CHECK(result.claims.subject.empty());  // not even decoded
  CHECK(verifier.cache_stats().misses == 0);
}

TEST_CASE("refused: unknown kid, or no kid with several keys", "[identity]") {
  check_refused(
      testing::mint_jwt(keys().p256, svid_claims(), {.extra_header = {{"kid", "rotated-away"}}}),
      JwtFailure::kUntrustedKey,
      "no key \"rotated-away\" in the key set of trust domain \"prod.example.com\"");
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.include_kid = false}),
                JwtFailure::kUntrustedKey,
                "token has no key id (\"kid\") and the key set of trust domain "
                "\"prod.example.com\" has 4 keys");
  check_refused(testing::mint_jwt(keys().rsa, github_claims(), {.include_kid = false}),
                JwtFailure::kUntrustedKey, "has 2 keys", TokenKind::kOidc);
}

TEST_CASE("refused: a key that does not fit the algorithm", "[identity]") {
  // An RSA key's kid on an ES256 token.
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.extra_header = {{"kid", "rsa-1"}}}),
                JwtFailure::kUntrustedKey,
                "RSA 2048-bit key \"rsa-1\" of trust domain "
                "\"prod.example.com\" cannot verify ES256");
  // A P-256 key for ES384 (signed with SHA-384 on P-256).
  check_refused(testing::mint_jwt(keys().p256, svid_claims(), {.alg = "ES384"}),
                JwtFailure::kUntrustedKey, "EC P-256 key \"p256-1\"");
  check_refused(testing::mint_jwt(keys().p384, svid_claims(), {.alg = "ES256"}),
                JwtFailure::kUntrustedKey, "EC P-384 key \"p384-1\"");
  check_refused(
      testing::mint_jwt(keys().ed25519, svid_claims(), {.extra_header = {{"alg", "ES256"}}}),
      JwtFailure::kUntrustedKey, "OKP Ed25519 key \"ed-1\"");
  check_refused(testing::mint_jwt(keys().rsa, svid_claims(), {.extra_header = {{"alg", "EdDSA"}}}),
                JwtFailure::kUntrustedKey, "cannot verify EdDSA");
}

TEST_CASE("refused: an RSA key under 2048 bits", "[identity]") {
  auto weak = SigningKey::rsa("weak", 1024);
  JwtPolicy policy = standard_policy();
  policy.trust_domains[0].keys = key_set(testing::jwks_json({&weak}));
  JwtVerifier verifier(std::move(policy));
  JwtResult result =
      verifier.verify(testing::mint_jwt(weak, svid_claims()), TokenKind::kJwtSvid, kNow);
  CHECK_FALSE(result.verified);
  CHECK(result.failure == JwtFailure::kUntrustedKey);
  CHECK_THAT(result.error, ContainsSubstring("RSA 1024-bit key \"weak\""));
  CHECK_THAT(result.error, ContainsSubstring("at least 2048 bits"));
}

TEST_CASE("refused: a signature by the wrong key", "[identity]") {
  // Same kid as the configured P-256 key, different private key.
  check_refused(testing::mint_jwt(keys().stranger, svid_claims()), JwtFailure::kSignature,
                "signature does not verify with EC P-256 key \"p256-1\" of trust domain "
                "\"prod.example.com\"");
  // The key of the other configured trust domain, under the kid of this one's.
  check_refused(
      testing::mint_jwt(keys().staging, svid_claims(), {.extra_header = {{"kid", "p256-1"}}}),
      JwtFailure::kSignature, "signature does not verify");
}

TEST_CASE("refused: a tampered payload or signature", "[identity]") {
  std::string token = valid_token();
  json claims = svid_claims();
  claims["sub"] = "spiffe://prod.example.com/ns/payments/sa/admin";
  check_refused(testing::replace_payload(token, claims), JwtFailure::kSignature,
                "signature does not verify");
  check_refused(testing::corrupt_signature(token), JwtFailure::kSignature,
                "signature does not verify");
  for (const char* alg : {"RS256", "PS512", "ES384", "EdDSA"}) {
    const SigningKey& key = std::string_view(alg) == "ES384"   ? keys().p384
                            : std::string_view(alg) == "EdDSA" ? keys().ed25519
                                                               : keys().rsa;
    CAPTURE(alg);
    check_refused(testing::corrupt_signature(testing::mint_jwt(key, svid_claims(), {.alg = alg})),
                  JwtFailure::kSignature, "signature does not verify");
  }
  // The RSA signature's length must be the modulus length.
  std::string rsa_token = testing::mint_jwt(keys().rsa, svid_claims());
  check_refused(testing::replace_signature(rsa_token, std::string(255, '\x01')),
                JwtFailure::kSignature, "signature does not verify");
}

TEST_CASE("refused: an ECDSA or EdDSA signature of the wrong length", "[identity]") {
  std::string token = valid_token();
  check_refused(testing::replace_signature(token, std::string(63, '\x01')), JwtFailure::kSignature,
                "ES256 signature must be 64 bytes (R||S), not 63");
  check_refused(testing::replace_signature(token, std::string(72, '\x30')), JwtFailure::kSignature,
                "not 72");  // DER-sized, not R||S
  std::string p384 = testing::mint_jwt(keys().p384, svid_claims());
  check_refused(testing::replace_signature(p384, std::string(64, '\x01')), JwtFailure::kSignature,
                "ES384 signature must be 96 bytes (R||S), not 64");
  std::string ed = testing::mint_jwt(keys().ed25519, svid_claims());
  check_refused(testing::replace_signature(ed, std::string(65, '\x01')), JwtFailure::kSignature,
                "EdDSA signature must be 64 bytes, not 65");
}

TEST_CASE("refused tokens still report what could be read", "[identity]") {
  JwtVerifier verifier(standard_policy());
  std::string token = testing::corrupt_signature(valid_token());
  JwtResult result = verifier.verify(token, TokenKind::kJwtSvid, kNow);
  CHECK_FALSE(result.verified);
  CHECK(result.claims.algorithm == "ES256");
  CHECK(result.claims.key_id == "p256-1");
  CHECK(result.claims.subject == kWorkload);
  CHECK(result.claims.token_sha256.size() == 64);

  result = verifier.verify(testing::mint_unsigned_jwt(svid_claims()), TokenKind::kJwtSvid, kNow);
  CHECK(result.claims.algorithm == "none");
  CHECK(result.claims.subject.empty());
}

}  // namespace
}  // namespace crossgate::identity
