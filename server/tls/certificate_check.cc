#include "server/tls/certificate_check.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace crossgate::server {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

cedar::Result<std::string> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cedar::Error{path.string() + ": cannot read the file"};
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return cedar::Error{path.string() + ": cannot read the file"};
  return out.str();
}

// Every certificate of a PEM text; an error when there is none, or when a PEM block is
// damaged (a truncated copy must not pass for a shorter chain).
cedar::Result<std::vector<X509Ptr>> parse_certificates(const std::string& pem,
                                                       const std::filesystem::path& path) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<X509Ptr> out;
  ERR_clear_error();
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  unsigned long error = ERR_peek_last_error();
  bool clean_end = error == 0 || (ERR_GET_LIB(error) == ERR_LIB_PEM &&
                                  ERR_GET_REASON(error) == PEM_R_NO_START_LINE);
  ERR_clear_error();
  if (!clean_end) {
    return cedar::Error{path.string() + ": certificate " + std::to_string(out.size() + 1) +
                        " is not a valid PEM certificate"};
  }
  if (out.empty()) return cedar::Error{path.string() + ": holds no PEM certificate"};
  return out;
}

std::string serial_hex(const X509* cert) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), &BN_free);
  if (!bn) return "?";
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "?";
  OPENSSL_free(hex);
  return out;
}

std::string subject(const X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::int64_t not_after(const X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

cedar::Result<TlsFiles> read_tls_files(const std::filesystem::path& cert,
                                       const std::filesystem::path& key,
                                       const std::filesystem::path& ca) {
  TlsFiles files;
  files.cert_path = cert;
  files.key_path = key;
  files.ca_path = ca;
  cedar::Result<std::string> cert_pem = read_all(cert);
  if (!cert_pem.ok()) return cert_pem.error();
  files.cert_pem = std::move(*cert_pem);
  cedar::Result<std::string> key_pem = read_all(key);
  if (!key_pem.ok()) return key_pem.error();
  files.key_pem = std::move(*key_pem);
  if (!ca.empty()) {
    cedar::Result<std::string> ca_pem = read_all(ca);
    if (!ca_pem.ok()) return ca_pem.error();
    files.ca_pem = std::move(*ca_pem);
  }
  return files;
}

cedar::Result<CertificateSummary> check_tls_files(const TlsFiles& files, std::int64_t now_unix) {
  cedar::Result<std::vector<X509Ptr>> chain = parse_certificates(files.cert_pem, files.cert_path);
  if (!chain.ok()) return chain.error();
  const X509* leaf = chain->front().get();

  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(files.key_pem.data(), static_cast<int>(files.key_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return cedar::Error{files.key_path.string() + ": holds no usable PEM private key"};
  if (X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return cedar::Error{files.key_path.string() + ": the private key does not belong to the " +
                        "certificate in " + files.cert_path.string()};
  }

  CertificateSummary summary{serial_hex(leaf), subject(leaf), not_after(leaf)};
  if (summary.not_after_unix != 0 && summary.not_after_unix < now_unix) {
    return cedar::Error{files.cert_path.string() + ": the certificate (serial " +
                        summary.serial_hex + ") has expired"};
  }
  if (!files.ca_path.empty()) {
    cedar::Result<std::vector<X509Ptr>> ca = parse_certificates(files.ca_pem, files.ca_path);
    if (!ca.ok()) return ca.error();
  }
  return summary;
}

}  // namespace crossgate::server
