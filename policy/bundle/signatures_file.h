// The signatures.json document (format in signatures.h): strict reading, with a message
// naming the field at fault, and deterministic writing (sorted keys, signatures ordered by
// key id) so that re-signing an unchanged bundle rewrites the same bytes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/bundle/keys.h"
#include "policy/bundle/signatures.h"

namespace crossgate::bundle {

inline constexpr const char* kSignaturesFormat = "crossgate-signatures-v1";

// A bound on work per verification: more signers than this is not a real bundle.
inline constexpr std::size_t kMaxSignatures = 256;

struct SignatureEntry {
  std::string key_id;  // lower-case hex SHA-256
  KeyAlgorithm algorithm = KeyAlgorithm::kEd25519;
  std::string signature;  // raw bytes (decoded from base64)
};

struct SignaturesDocument {
  BundleKind kind = BundleKind::kPolicyBundle;
  std::map<std::string, std::string> files;  // path -> sha256 hex
  std::vector<SignatureEntry> signatures;
};

// Refuses unknown fields, a format other than crossgate-signatures-v1, an unknown kind,
// digests and key ids that are not 64 lower-case hex digits, unknown algorithms, bad
// base64. Errors start with `origin`.
cedar::Result<SignaturesDocument> parse_signatures_document(std::string_view text,
                                                            const std::string& origin);

// Pretty JSON, keys sorted, ending in a newline.
std::string serialize_signatures_document(const SignaturesDocument& document);

// True for 64 lower-case hex digits (a SHA-256 as this library writes it).
bool is_sha256_hex(std::string_view text);

}  // namespace crossgate::bundle
