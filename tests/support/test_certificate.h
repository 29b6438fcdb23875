// Test support: self-signed X.509 certificates with chosen subjectAltNames, shaped like
// X.509-SVIDs (a SPIFFE ID as URI SAN), for tests of certificate identity extraction and
// for mTLS fixtures in end-to-end tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/jwt_minter.h"

namespace crossgate::testing {

struct CertificateSpec {
  std::vector<std::string> uri_sans;  // e.g. "spiffe://prod.example.com/ns/app"
  std::vector<std::string> dns_sans;
  std::string common_name = "crossgate test";
  std::int64_t valid_from_offset = -3600;  // seconds from the current time
  std::int64_t lifetime = 7200;            // seconds
};

// A self-signed certificate for `key`'s public key, signed by `key` (SHA-256, or pure
// Ed25519), as PEM. A subjectAltName extension is added when the spec names any SAN.
// Throws std::runtime_error if OpenSSL fails.
std::string self_signed_certificate_pem(const SigningKey& key, const CertificateSpec& spec);

}  // namespace crossgate::testing
