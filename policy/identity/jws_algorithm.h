// The JWS signature algorithms crossgate accepts (RFC 7518 section 3, RFC 8037 for EdDSA)
// and what each needs from a key. Everything else is refused by name: "none" (an unsigned
// token proves nothing) and the HMAC family (a shared secret cannot prove a workload's
// identity to a third party).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crossgate::identity {

enum class JwsFamily { kRsaPkcs1, kRsaPss, kEcdsa, kEdDsa };

struct JwsAlgorithm {
  std::string_view name;  // "RS256"
  JwsFamily family;
  int hash_bits;               // SHA-2 size: 256, 384 or 512; 0 for EdDSA (no prehash)
  std::string_view key_type;   // JWK "kty": "RSA", "EC" or "OKP"
  std::string_view curve;      // JWK "crv" for EC and OKP keys, empty for RSA
  std::size_t signature_size;  // fixed size for ES* (R||S) and EdDSA; 0 for RSA (key size)
};

// Minimum RSA modulus size accepted for verification (NIST SP 800-131A).
inline constexpr int kMinRsaBits = 2048;

// nullptr when `name` is not an accepted algorithm.
const JwsAlgorithm* find_jws_algorithm(std::string_view name);

// Why `name` is refused, e.g. "algorithm \"HS256\" is refused (HMAC: a shared secret
// cannot prove a workload's identity)". For names find_jws_algorithm does not know.
std::string refused_algorithm_message(std::string_view name);

// `text` in double quotes for an error message: at most 64 characters, with control and
// non-ASCII bytes escaped, since token contents are attacker-chosen.
std::string quote_untrusted(std::string_view text);

}  // namespace crossgate::identity
