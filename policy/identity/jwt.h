// Verifying JWT-SVIDs (SPIFFE) and OIDC ID tokens (e.g. GitHub Actions): compact JWS,
// signature by a key of the trust domain's or issuer's key set, then the registered
// claims at a given time.
//
// Accepted algorithms: RS256/384/512, PS256/384/512, ES256/384, EdDSA. `none` and every
// HMAC algorithm are refused (a shared secret cannot prove a workload's identity to a
// third party). Raw tokens are never kept or logged: results carry the token's SHA-256.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/identity/jwks.h"

namespace crossgate::identity {

enum class TokenKind : std::uint8_t { kJwtSvid, kOidc };

struct JwtClaims {
  std::string algorithm;
  std::string key_id;
  std::string issuer;
  std::string subject;
  std::vector<std::string> audience;       // "aud" as a string or an array
  std::optional<std::int64_t> expires_at;  // seconds since the epoch
  std::optional<std::int64_t> not_before;
  std::optional<std::int64_t> issued_at;
  // GitHub Actions claims (empty when absent).
  std::string repository;
  std::string repository_id;
  std::string environment;
  std::string job_workflow_ref;
  std::string token_sha256;  // hex digest of the raw token, for records
  // The SPIFFE trust domain a JWT-SVID belongs to ("prod.example.com").
  std::string trust_domain;
};

struct TrustDomainKeys {
  std::string trust_domain;  // e.g. "prod.example.com"
  std::shared_ptr<const JwkSet> keys;
};

struct IssuerKeys {
  std::string issuer;  // e.g. "https://token.actions.githubusercontent.com"
  std::shared_ptr<const JwkSet> keys;
};

struct JwtPolicy {
  std::string audience;              // must be among the token's "aud"
  std::int64_t leeway_seconds = 30;  // allowed clock skew for exp, nbf and iat
  std::vector<TrustDomainKeys> trust_domains;
  std::vector<IssuerKeys> issuers;
};

// Why a token was refused, so that the guardrails need not parse messages: kExpired and
// kNotYetValid are CREDENTIAL_LIFETIME, every other failure leaves the caller UNATTRIBUTED.
enum class JwtFailure : std::uint8_t {
  kNone,
  kMalformed,     // not a compact JWS of JSON objects, too large, bad "typ" or "crit"
  kAlgorithm,     // "none", HMAC, or an algorithm crossgate does not accept
  kUntrustedKey,  // issuer or trust domain not configured, no key fits the token
  kSignature,     // the signature does not verify
  kClaims,        // a required claim is missing or ill-typed, "sub" is not a SPIFFE ID
  kAudience,      // the configured audience is not among "aud"
  kExpired,       // now >= exp + leeway
  kNotYetValid,   // nbf or iat later than now + leeway
};

struct JwtResult {
  bool verified = false;
  JwtFailure failure = JwtFailure::kNone;
  std::string error;  // why not, e.g. "token expired at 2026-11-27T10:00:00Z" (no secrets)
  JwtClaims claims;   // filled as far as the token could be read, even when not verified
};

// Thread-safe. Successful signature checks are cached by the token's digest until the
// token expires (bounded, least recently used out first), so a token a gateway reuses
// costs a hash lookup rather than a signature check; the time checks run on every call.
class JwtVerifier {
 public:
  explicit JwtVerifier(JwtPolicy policy, std::size_t cache_capacity = 100000);
  ~JwtVerifier();

  // `now` in seconds since the epoch. For kJwtSvid the subject must be a SPIFFE ID whose
  // trust domain is configured and whose keys signed the token; for kOidc the issuer must
  // be configured and its keys must have signed it. `exp` is required.
  JwtResult verify(std::string_view token, TokenKind kind, std::int64_t now);

  struct CacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };
  CacheStats cache_stats() const;

 private:
  struct Cache;
  JwtPolicy policy_;
  std::unique_ptr<Cache> cache_;
};

// The SPIFFE ID ("spiffe://trust-domain/path") in the URI SAN of a PEM certificate, as an
// X.509-SVID carries it; nullopt when there is none or more than one URI SAN.
std::optional<std::string> spiffe_id_from_certificate_pem(std::string_view pem);

// "spiffe://prod.example.com/ns/x" -> "prod.example.com"; nullopt if not a SPIFFE ID.
std::optional<std::string> spiffe_trust_domain(std::string_view spiffe_id);

}  // namespace crossgate::identity
