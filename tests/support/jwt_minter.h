// Test support: signing keys and JSON Web Tokens made with OpenSSL, for the identity unit
// tests and the end-to-end tests. Everything a verifier can be shown is mintable here,
// including tokens no honest issuer would produce (alg "none", HS256, forged or tampered
// signatures), so that refusals can be tested.
//
// Independent of policy/identity on purpose (its own base64url and signature encoding), so
// that a bug there cannot hide itself by being mirrored here.
//
// Typical use:
//   auto key = SigningKey::ec_p256("k1");
//   std::string jwks = jwks_json({&key});                       // configure the verifier
//   std::string token = mint_jwt(key, jwt_svid_claims("spiffe://td/app", "crossgate", now));
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crossgate::testing {

enum class KeyKind { kRsa, kEcP256, kEcP384, kEd25519 };

// A freshly generated key pair with a key id ("kid"). Move-only; throws std::runtime_error
// if OpenSSL fails (tests treat that as a broken environment, not a test outcome).
class SigningKey {
 public:
  static SigningKey rsa(std::string kid, int bits = 2048);
  static SigningKey ec_p256(std::string kid);
  static SigningKey ec_p384(std::string kid);
  static SigningKey ed25519(std::string kid);
  static SigningKey generate(KeyKind kind, std::string kid);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const std::string& kid() const { return kid_; }
  KeyKind kind() const { return kind_; }
  // RS256, ES256, ES384 or EdDSA.
  std::string default_algorithm() const;

  // The public key as a JWK: "kty", "kid", "use": "sig" and the key's members (n/e, crv/x/y,
  // crv/x). `alg`, when given, is added as the key's "alg".
  nlohmann::json public_jwk(std::string_view alg = {}) const;

  // The JWS signature octets (RFC 7518) of `signing_input` with `alg`: RS*/PS* for RSA keys,
  // ES* for EC keys (raw R||S, each half the curve's size, whatever the hash), EdDSA for
  // Ed25519. Any hash may be combined with a curve, to build mismatched tokens.
  std::string sign(std::string_view alg, std::string_view signing_input) const;

  std::string private_key_pem() const;                // PKCS#8
  std::string public_key_pem() const;                 // SubjectPublicKeyInfo
  EVP_PKEY* evp_pkey() const { return pkey_.get(); }  // owned by this object

 private:
  struct Free {
    void operator()(EVP_PKEY* pkey) const;
  };
  SigningKey(KeyKind kind, std::string kid, EVP_PKEY* pkey);
  KeyKind kind_;
  std::string kid_;
  std::unique_ptr<EVP_PKEY, Free> pkey_;
};

// {"keys": [<public_jwk()>...]} as text, for JwkSet::parse or a JWKS file.
std::string jwks_json(std::initializer_list<const SigningKey*> keys);
std::string jwks_json(const std::vector<nlohmann::json>& jwks);

// Unpadded base64url (RFC 4648 section 5).
std::string base64url(std::string_view bytes);

struct JwtOptions {
  std::string alg;                         // empty: key.default_algorithm()
  bool include_kid = true;                 // "kid": key.kid()
  std::optional<std::string> typ = "JWT";  // nullopt: no "typ"
  // Merged into the header last: may add members ("crit") or override alg, kid and typ
  // (the signature is still made with `alg` or the key's default).
  nlohmann::json extra_header = nlohmann::json::object();
};

// A compact JWS over `claims`, signed by `key`.
std::string mint_jwt(const SigningKey& key, const nlohmann::json& claims,
                     const JwtOptions& options = {});

// Deliberately unacceptable tokens.
// alg "none": "<header>.<payload>." (empty signature, RFC 7519 section 6.1).
std::string mint_unsigned_jwt(const nlohmann::json& claims);
// HMAC-SHA256 with a shared secret; header {"alg":"HS256","typ":"JWT"} plus `kid` if given.
std::string mint_hs256_jwt(std::string_view secret, const nlohmann::json& claims,
                           std::string_view kid = {});
// Three base64url parts of arbitrary bytes, for malformed headers and payloads.
std::string assemble_jws(std::string_view header_bytes, std::string_view payload_bytes,
                         std::string_view signature_bytes);
// The token with its payload replaced (header and signature kept): a tampered token.
std::string replace_payload(std::string_view token, const nlohmann::json& claims);
// The token with one bit of its signature flipped.
std::string corrupt_signature(std::string_view token);
// The token with its signature replaced by `signature_bytes`.
std::string replace_signature(std::string_view token, std::string_view signature_bytes);

// Claim sets. `now` in seconds since the epoch; iat = now, exp = now + lifetime.
nlohmann::json jwt_svid_claims(std::string_view spiffe_id, std::string_view audience,
                               std::int64_t now, std::int64_t lifetime = 300);

struct GithubActionsRun {
  std::string repository = "octo-org/octo-repo";
  std::string repository_id = "123456789";
  std::string environment = "prod";
  std::string workflow = ".github/workflows/deploy.yml";
  std::string ref = "refs/heads/main";
};
inline constexpr std::string_view kGithubActionsIssuer =
    "https://token.actions.githubusercontent.com";
// The claims of a GitHub Actions OIDC token for `run`: iss, sub
// ("repo:<repository>:environment:<environment>"), aud, repository, repository_id (a
// string, as GitHub sends it), repository_owner, environment, ref, job_workflow_ref,
// workflow_ref, iat, nbf, exp.
nlohmann::json github_actions_claims(const GithubActionsRun& run, std::string_view audience,
                                     std::int64_t now, std::int64_t lifetime = 300);

}  // namespace crossgate::testing
