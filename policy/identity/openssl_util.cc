// OpenSSL helpers shared by the identity library (see openssl_util.h).
#include "policy/identity/openssl_util.h"

#include <openssl/err.h>

namespace crossgate::identity::ossl {

Sha256 sha256(std::string_view data) {
  // Every decision hashes its token and its record. EVP_sha256() makes OpenSSL 3 look the
  // algorithm up (under a lock) on each use, and EVP_Digest builds a context each time:
  // fetch it once, and keep one context per thread.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local MdCtxPtr context(EVP_MD_CTX_new());
  Sha256 digest{};
  unsigned int size = 0;
  if (kSha256 != nullptr && context != nullptr &&
      EVP_DigestInit_ex2(context.get(), kSha256, nullptr) == 1 &&
      EVP_DigestUpdate(context.get(), data.data(), data.size()) == 1 &&
      EVP_DigestFinal_ex(context.get(), digest.data(), &size) == 1) {
    return digest;
  }
  // SHA-256 cannot fail short of memory exhaustion; a zero digest would then only cost a
  // token cache miss (entries are verified) or a record the chain verifier rejects.
  digest = {};
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

void clear_errors() {
  ERR_clear_error();
}

}  // namespace crossgate::identity::ossl
