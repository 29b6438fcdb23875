// Reading a JWS in compact serialization (RFC 7515 section 7.1): three unpadded base64url
// parts, a protected header that is a JSON object naming an accepted "alg", and a JSON
// object as payload (a JWT's claims set, RFC 7519 section 7.2). The signature is decoded
// but not checked here: that needs the key the claims select.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"
#include "policy/identity/jws_algorithm.h"

namespace crossgate::identity {

// Tokens are refused above this size before any decoding (a JWT-SVID or a GitHub Actions
// token is 1-2 KiB; the bound keeps a hostile token from costing memory or time).
inline constexpr std::size_t kMaxTokenBytes = 16 * 1024;

struct CompactJws {
  std::string_view signing_input;           // "<header>.<payload>" as received (into the token)
  std::string algorithm_name;               // the header's "alg", set as soon as it is read
  std::string key_id;                       // "kid", empty when absent
  const JwsAlgorithm* algorithm = nullptr;  // set once "alg" is accepted
  nlohmann::json payload;
  std::string signature;
};

enum class JwsProblem { kMalformed, kAlgorithm };

struct JwsError {
  JwsProblem problem;
  std::string message;  // never quotes the token or its signature
};

// Fills `out` as far as the token can be read; nullopt when it is a well-formed compact
// JWS with an accepted algorithm. Refuses "crit" (no extension is understood), a "typ"
// other than JWT or JOSE (any case), a non-string "kid", and every algorithm
// find_jws_algorithm does not accept, naming it. `token` must outlive `out`.
std::optional<JwsError> parse_compact_jws(std::string_view token, CompactJws& out);

}  // namespace crossgate::identity
