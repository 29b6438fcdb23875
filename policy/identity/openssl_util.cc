// OpenSSL helpers shared by the identity library (see openssl_util.h).
#include "policy/identity/openssl_util.h"

#include <openssl/err.h>

namespace crossgate::identity::ossl {

Sha256 sha256(std::string_view data) {
  Sha256 digest{};
  unsigned int size = 0;
  // EVP_Digest with the built-in SHA-256 cannot fail short of memory exhaustion; a zero
  // digest would then only cost a cache miss, never a false hit (the entry is verified).
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
