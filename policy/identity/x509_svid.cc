// The SPIFFE ID of an X.509-SVID (X509-SVID.md section 2): the one URI SAN of the
// certificate. Only the identity is read here; the certificate chain was already verified
// by the TLS handshake that presented it.
#include <openssl/pem.h>

#include "policy/identity/jwt.h"
#include "policy/identity/openssl_util.h"
#include "policy/identity/spiffe_id.h"

namespace crossgate::identity {

std::optional<std::string> spiffe_id_from_certificate_pem(std::string_view pem) {
  if (pem.empty() || pem.size() > (1 << 20)) return std::nullopt;
  ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  // The first certificate is the leaf when a chain is given.
  ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ossl::clear_errors();
    return std::nullopt;
  }
  // nullptr when the extension is absent, malformed, or present twice.
  ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  ossl::clear_errors();
  if (!names) return std::nullopt;
  std::optional<std::string> uri;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    if (uri) return std::nullopt;  // an X.509-SVID has exactly one URI SAN
    const ASN1_IA5STRING* value = name->d.uniformResourceIdentifier;
    uri.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  if (!uri || !is_workload_spiffe_id(*uri)) return std::nullopt;
  return uri;
}

}  // namespace crossgate::identity
