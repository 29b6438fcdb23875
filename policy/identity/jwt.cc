// JwtVerifier: JWT-SVID and OIDC token verification, from the compact JWS through key
// selection and signature to the per-use claim checks, with the verified-token cache in
// front (see jwt.h).
#include "policy/identity/jwt.h"

#include <algorithm>

#include "policy/identity/compact_jws.h"
#include "policy/identity/jwt_claims.h"
#include "policy/identity/openssl_util.h"
#include "policy/identity/spiffe_id.h"
#include "policy/identity/token_cache.h"

namespace crossgate::identity {
namespace {

// One shard per 256 entries of capacity, at most 16: a small cache stays one exact LRU,
// a large one spreads the gRPC threads over 16 locks.
std::size_t shard_count(std::size_t capacity) {
  return std::clamp<std::size_t>(capacity / 256, 1, 16);
}

// A refusal and its category; the claims checks use the same shape.
using Refusal = ClaimsProblem;

JwtResult& fail(JwtResult& result, JwtFailure failure, std::string message) {
  result.verified = false;
  result.failure = failure;
  result.error = std::move(message);
  return result;
}

std::string describe_key(const Jwk& key) {
  std::string text = key.key_type();
  if (!key.curve().empty()) text += " " + key.curve();
  if (key.key_type() == "RSA") text += " " + std::to_string(key.bits()) + "-bit";
  return text + " key" + (key.key_id().empty() ? "" : " " + quote_untrusted(key.key_id()));
}

// The party whose keys must have signed a token, and its name for messages.
struct Signer {
  const JwkSet* keys = nullptr;
  std::string name;  // "trust domain \"x\"" or "issuer \"y\""
};

// Key selection: the token names who signed it (its subject's trust domain, or its
// issuer), and only that party's configured keys may have. Fills claims.trust_domain.
std::optional<Refusal> find_signer(const JwtPolicy& policy, TokenKind kind, JwtClaims& claims,
                                   Signer& signer) {
  if (kind == TokenKind::kJwtSvid) {
    if (claims.subject.empty()) {
      return Refusal{JwtFailure::kClaims, "JWT-SVID has no subject (\"sub\")"};
    }
    if (auto problem = spiffe_id_problem(claims.subject, /*require_path=*/true)) {
      return Refusal{JwtFailure::kClaims, "JWT-SVID subject is not a SPIFFE ID: " + *problem};
    }
    claims.trust_domain = *spiffe_trust_domain(claims.subject);
    signer.name = "trust domain " + quote_untrusted(claims.trust_domain);
    for (const TrustDomainKeys& domain : policy.trust_domains) {
      if (domain.trust_domain == claims.trust_domain) {
        signer.keys = domain.keys.get();
        break;
      }
    }
  } else {
    if (claims.issuer.empty()) {
      return Refusal{JwtFailure::kClaims, "OIDC token has no issuer (\"iss\")"};
    }
    // OpenID Connect Core section 2: every ID token names its subject.
    if (claims.subject.empty()) {
      return Refusal{JwtFailure::kClaims, "OIDC token has no subject (\"sub\")"};
    }
    signer.name = "issuer " + quote_untrusted(claims.issuer);
    for (const IssuerKeys& issuer : policy.issuers) {
      if (issuer.issuer == claims.issuer) {
        signer.keys = issuer.keys.get();
        break;
      }
    }
  }
  if (signer.keys == nullptr) {
    return Refusal{JwtFailure::kUntrustedKey, signer.name + " is not configured"};
  }
  return std::nullopt;
}

// The signer's key named by the token's kid must fit the algorithm and verify the signature.
std::optional<Refusal> check_signature(const CompactJws& jws, const Signer& signer) {
  const Jwk* jwk = signer.keys->find(jws.key_id);
  if (jwk == nullptr) {
    return Refusal{
        JwtFailure::kUntrustedKey,
        jws.key_id.empty()
            ? "token has no key id (\"kid\") and the key set of " + signer.name + " has " +
                  std::to_string(signer.keys->size()) + " keys"
            : "no key " + quote_untrusted(jws.key_id) + " in the key set of " + signer.name};
  }
  if (jwk->key_type() == "RSA" && jwk->bits() < kMinRsaBits) {
    return Refusal{JwtFailure::kUntrustedKey,
                   describe_key(*jwk) + " of " + signer.name + " is too weak (at least " +
                       std::to_string(kMinRsaBits) + " bits are required)"};
  }
  const JwsAlgorithm& algorithm = *jws.algorithm;
  if (!jwk->allows(algorithm.name)) {
    return Refusal{JwtFailure::kUntrustedKey, describe_key(*jwk) + " of " + signer.name +
                                                  " cannot verify " + std::string(algorithm.name)};
  }
  if (algorithm.signature_size != 0 && jws.signature.size() != algorithm.signature_size) {
    return Refusal{JwtFailure::kSignature,
                   std::string(algorithm.name) + " signature must be " +
                       std::to_string(algorithm.signature_size) + " bytes" +
                       (algorithm.family == JwsFamily::kEcdsa ? " (R||S)" : "") + ", not " +
                       std::to_string(jws.signature.size())};
  }
  if (!jwk->verify(algorithm.name, jws.signing_input, jws.signature)) {
    return Refusal{JwtFailure::kSignature,
                   "signature does not verify with " + describe_key(*jwk) + " of " + signer.name};
  }
  return std::nullopt;
}

}  // namespace

struct JwtVerifier::Cache : TokenCache {
  using TokenCache::TokenCache;
};

JwtVerifier::JwtVerifier(JwtPolicy policy, std::size_t cache_capacity)
    : policy_(std::move(policy)),
      cache_(std::make_unique<Cache>(cache_capacity, shard_count(cache_capacity))) {
  policy_.leeway_seconds = std::max<std::int64_t>(policy_.leeway_seconds, 0);
}

JwtVerifier::~JwtVerifier() = default;

JwtResult JwtVerifier::verify(std::string_view token, TokenKind kind, std::int64_t now) {
  JwtResult result;
  if (token.size() > kMaxTokenBytes) {
    return fail(result, JwtFailure::kMalformed,
                "token is larger than " + std::to_string(kMaxTokenBytes) + " bytes");
  }
  ossl::Sha256 digest = ossl::sha256(token);
  TokenCache::Key key;
  std::copy(digest.begin(), digest.end(), key.begin());
  key.back() = static_cast<unsigned char>(kind);

  auto check_at_now = [&](JwtResult& r) -> JwtResult& {
    if (auto problem = check_claims(r.claims, policy_.audience, policy_.leeway_seconds, now)) {
      return fail(r, problem->failure, std::move(problem->message));
    }
    r.verified = true;
    return r;
  };

  if (auto cached = cache_->find(key, now)) {
    result.claims = *cached;
    return check_at_now(result);
  }
  result.claims.token_sha256 = ossl::hex(digest.data(), digest.size());

  CompactJws jws;
  auto jws_error = parse_compact_jws(token, jws);
  result.claims.algorithm = jws.algorithm_name;
  result.claims.key_id = jws.key_id;
  if (jws_error) {
    return fail(result,
                jws_error->problem == JwsProblem::kAlgorithm ? JwtFailure::kAlgorithm
                                                             : JwtFailure::kMalformed,
                std::move(jws_error->message));
  }
  if (auto problem = read_claims(jws.payload, result.claims)) {
    return fail(result, problem->failure, std::move(problem->message));
  }

  Signer signer;
  if (auto refusal = find_signer(policy_, kind, result.claims, signer)) {
    return fail(result, refusal->failure, std::move(refusal->message));
  }
  if (auto refusal = check_signature(jws, signer)) {
    return fail(result, refusal->failure, std::move(refusal->message));
  }

  if (!check_at_now(result).verified) return result;
  // Only fully verified tokens are cached; a hit re-runs check_at_now only.
  cache_->insert(key, std::make_shared<const JwtClaims>(result.claims),
                 expiry_with_leeway(*result.claims.expires_at, policy_.leeway_seconds), now);
  return result;
}

JwtVerifier::CacheStats JwtVerifier::cache_stats() const {
  TokenCache::Stats stats = cache_->stats();
  return CacheStats{stats.hits, stats.misses, stats.entries};
}

}  // namespace crossgate::identity
