// Self-signed test certificates with URI and DNS SANs (see test_certificate.h).
#include "tests/support/test_certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace crossgate::testing {
namespace {

[[noreturn]] void fail(const std::string& what) {
  char detail[256] = "";
  ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
  ERR_clear_error();
  throw std::runtime_error("test_certificate: " + what + ": " + detail);
}

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;

void add_name(GENERAL_NAMES* names, int type, const std::string& value) {
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (text == nullptr || name == nullptr ||
      ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_IA5STRING_free(text);
    GENERAL_NAME_free(name);
    fail("building a subjectAltName");
  }
  GENERAL_NAME_set0_value(name, type, text);
  if (sk_GENERAL_NAME_push(names, name) == 0) {
    GENERAL_NAME_free(name);
    fail("building a subjectAltName");
  }
}

}  // namespace

std::string self_signed_certificate_pem(const SigningKey& key, const CertificateSpec& spec) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.valid_from_offset)) ==
          nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                      static_cast<long>(spec.valid_from_offset + spec.lifetime)) == nullptr ||
      X509_set_pubkey(cert.get(), key.evp_pkey()) != 1) {
    fail("building the certificate");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1) {
    fail("naming the certificate");
  }
  if (!spec.uri_sans.empty() || !spec.dns_sans.empty()) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) fail("building a subjectAltName");
    for (const std::string& uri : spec.uri_sans)
      add_name(names.get(), GEN_URI, uri);
    for (const std::string& dns : spec.dns_sans)
      add_name(names.get(), GEN_DNS, dns);
    if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) !=
        1) {
      fail("adding the subjectAltName");
    }
  }
  const EVP_MD* md = key.kind() == KeyKind::kEd25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), key.evp_pkey(), md) <= 0) fail("signing the certificate");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) fail("writing the certificate");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace crossgate::testing
