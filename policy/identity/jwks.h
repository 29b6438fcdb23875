// JSON Web Key Sets: the public keys that sign JWT-SVIDs of a SPIFFE trust domain or the
// OIDC tokens of an issuer, loaded from files named in the configuration.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/result.h"

namespace crossgate::identity {

using cedar::Error;
using cedar::Result;
using cedar::Status;

// One usable verification key: RSA (for RS* and PS*), EC P-256 / P-384 (ES256 / ES384) or
// OKP Ed25519 (EdDSA). Keys with a "use" other than "sig" (or a SPIFFE bundle's "jwt-svid")
// are skipped, as are key types, curves and algorithms crossgate does not verify with.
class Jwk {
 public:
  ~Jwk();
  Jwk(Jwk&&) noexcept;
  Jwk& operator=(Jwk&&) noexcept;

  const std::string& key_id() const { return key_id_; }
  const std::string& key_type() const { return key_type_; }  // "RSA", "EC", "OKP"
  const std::string& curve() const { return curve_; }  // "P-256", "P-384", "Ed25519"; "" for RSA
  int bits() const;  // the key size (the RSA modulus, the curve's order)
  // Whether `alg` (e.g. "RS256") may be verified with this key: the family must match the
  // key type (and curve), a key that names its own "alg" allows only that one, and RSA keys
  // under 2048 bits allow nothing.
  bool allows(std::string_view alg) const;
  // Verifies a JWS signature over `signing_input` ("<header>.<payload>").
  bool verify(std::string_view alg, std::string_view signing_input,
              std::string_view signature) const;

 private:
  friend class JwkSet;
  Jwk();
  std::string key_id_;
  std::string key_type_;
  std::string curve_;
  std::string alg_;  // empty when the key does not restrict it
  struct Key;
  std::unique_ptr<Key> key_;
};

class JwkSet {
 public:
  JwkSet();
  ~JwkSet();
  JwkSet(JwkSet&&) noexcept;
  JwkSet& operator=(JwkSet&&) noexcept;

  // {"keys": [...]}. Errors name `origin` and the key (by index or kid) at fault.
  static Result<JwkSet> parse(std::string_view json, const std::string& origin);
  static Result<JwkSet> load(const std::filesystem::path& path);

  // The key for `kid`; with an empty kid, the only key if there is exactly one.
  const Jwk* find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<Jwk> keys_;
};

}  // namespace crossgate::identity
