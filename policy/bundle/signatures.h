// Detached signatures over a bundle's files.
//
// A bundle carries `signatures.json` at its root:
//
//   {
//     "format": "crossgate-signatures-v1",
//     "kind": "policy-bundle" | "owner-registry",
//     "files": {"manifest.yaml": "<sha256 hex>", "policies/a.cedar": "<sha256 hex>", ...},
//     "signatures": [{"key_id": "<sha256 hex of the public key DER>",
//                     "algorithm": "ed25519" | "ecdsa-p256-sha256",
//                     "signature": "<base64>"}]
//   }
//
// `files` lists every file of the bundle except signatures.json itself. Each signature is
// over the canonical statement (signed_statement() below): a header naming the format and
// the kind, then one "<sha256>  <path>\n" line per file in path order. Binding the kind
// into what is signed, and keeping separate trusted key sets per kind, means a registry
// key can never make a policy bundle acceptable, nor the reverse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "policy/bundle/bundle_source.h"

namespace crossgate::bundle {

enum class BundleKind : std::uint8_t { kPolicyBundle, kOwnerRegistry };

std::string_view kind_name(BundleKind kind);  // "policy-bundle", "owner-registry"

inline constexpr const char* kSignaturesFile = "signatures.json";

// Public keys trusted to sign one kind of bundle (PEM files holding Ed25519 or ECDSA P-256
// public keys). A key's id is the SHA-256 (hex) of its DER SubjectPublicKeyInfo.
class TrustedKeys {
 public:
  TrustedKeys();
  ~TrustedKeys();
  TrustedKeys(TrustedKeys&&) noexcept;
  TrustedKeys& operator=(TrustedKeys&&) noexcept;

  // Errors name the file (unreadable, not a PEM public key, an unsupported algorithm).
  Status add_pem_file(const std::filesystem::path& path);
  Status add_pem(const std::string& pem, const std::string& origin);

  std::size_t size() const;
  std::vector<std::string> key_ids() const;

 private:
  friend class SignatureVerifier;
  struct Keys;
  std::unique_ptr<Keys> keys_;
};

// SHA-256 of `data`, lower-case hex.
std::string sha256_hex(std::string_view data);

// The text every signer signs: "crossgate-signatures-v1 <kind>\n" then
// "<sha256>  <path>\n" per file, in path order.
std::string signed_statement(BundleKind kind, const std::map<std::string, std::string>& digests);

// The digest of the whole bundle: SHA-256 of the signed statement for `kind` (the statement
// names the kind), which pins every file's content except signatures.json. Reported in
// status and decision records.
std::string bundle_digest(const BundleFiles& files, BundleKind kind);

struct VerifiedSignatures {
  std::vector<std::string> signer_key_ids;  // distinct trusted keys with a valid signature
};

// Checks that signatures.json lists exactly the bundle's files with their digests and that
// at least `required` distinct keys of `trusted` signed them for `kind` (`required` < 1
// counts as 1). Signatures by keys not in `trusted` are ignored; an invalid signature by a
// trusted key is an error (tampering). Errors say what is wrong: a missing or extra file,
// a digest mismatch, a kind mismatch, too few valid signatures ("2 valid signatures
// required, 1 found").
Result<VerifiedSignatures> verify_bundle_signatures(const BundleFiles& files, BundleKind kind,
                                                    const TrustedKeys& trusted, int required);

// Adds (or replaces) the signature of the key in `private_key_pem` to the bundle in
// `directory`, writing signatures.json. Signatures by other keys are kept when the file
// list is unchanged and dropped (with a note in the returned text) when it changed.
// Returns a human-readable summary.
Result<std::string> sign_bundle_directory(const std::filesystem::path& directory, BundleKind kind,
                                          const std::string& private_key_pem);

}  // namespace crossgate::bundle
