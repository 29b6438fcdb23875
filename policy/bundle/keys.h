// The signing keys bundles accept — Ed25519 and ECDSA P-256 — behind OpenSSL's EVP API:
// reading PEM keys, naming a key by its id, signing and verifying a statement. Every other
// key type is refused here, so nothing downstream has to think about RSA, other curves or
// explicit EC parameters.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace crossgate::bundle {

enum class KeyAlgorithm : std::uint8_t { kEd25519, kEcdsaP256Sha256 };

// "ed25519", "ecdsa-p256-sha256": the names signatures.json uses.
std::string_view algorithm_name(KeyAlgorithm algorithm);
std::optional<KeyAlgorithm> parse_algorithm(std::string_view name);

struct PkeyDeleter {
  void operator()(evp_pkey_st* key) const;
};
using PkeyPtr = std::unique_ptr<evp_pkey_st, PkeyDeleter>;

// A usable key: the OpenSSL key, its algorithm, and its id (lower-case hex SHA-256 of the
// DER SubjectPublicKeyInfo, EC points encoded uncompressed so that the id does not depend
// on how the PEM happened to be written).
struct Key {
  PkeyPtr pkey;
  KeyAlgorithm algorithm = KeyAlgorithm::kEd25519;
  std::string key_id;
};

// Every "PUBLIC KEY" block of `pem` (at least one). A file holding a private key is refused
// outright: trust material must never carry secrets. Errors start with `origin`.
cedar::Result<std::vector<Key>> parse_public_keys_pem(std::string_view pem,
                                                      const std::string& origin);

// One private key, PKCS#8 ("PRIVATE KEY") or traditional ("EC PRIVATE KEY"); encrypted
// keys are refused rather than prompting for a passphrase. Errors start with `origin`.
cedar::Result<Key> parse_private_key_pem(std::string_view pem, const std::string& origin);

// Ed25519 signs `statement` itself; ECDSA signs its SHA-256 and yields a DER signature.
cedar::Result<std::string> sign_statement(const Key& key, std::string_view statement);

// False for any invalid signature, including malformed DER or a wrong length.
bool verify_statement(const Key& key, std::string_view statement, std::string_view signature);

}  // namespace crossgate::bundle
