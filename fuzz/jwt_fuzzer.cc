// Fuzzes JWT-SVID and OIDC token verification (compact JWS splitting, base64url, header and
// claims JSON, algorithm choice, signature, registered claims) against the example key
// sets, as a JWT-SVID and as an OIDC token.
#include "fuzz/fuzz_world.h"
#include "policy/identity/jwt.h"

using namespace crossgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::DecisionWorld& w = fuzz::decision_world();
  identity::JwtVerifier* verifier = w.identity->verifier();
  std::string_view token = fuzz::as_text(data, size);
  std::string_view signature = fuzz::jws_signature(token);
  for (identity::TokenKind kind : {identity::TokenKind::kJwtSvid, identity::TokenKind::kOidc}) {
    identity::JwtResult result = verifier->verify(token, kind, fuzz::kNowSeconds);
    // Refusals must say why, and never by quoting the token. (A message may quote a claim,
    // so a signature copied into the claims is not counted.)
    if (!result.verified && result.error.empty()) __builtin_trap();
    const identity::JwtClaims& c = result.claims;
    std::string claims = c.subject + c.issuer + c.key_id + c.algorithm;
    for (const std::string& audience : c.audience)
      claims += audience;
    if (!signature.empty() && result.error.find(signature) != std::string::npos &&
        claims.find(signature) == std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
