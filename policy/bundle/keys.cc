// Ed25519 and ECDSA P-256 keys through OpenSSL 3's EVP API (see keys.h).
#include "policy/bundle/keys.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "policy/bundle/signatures.h"

namespace crossgate::bundle {
namespace {

using cedar::Error;
using cedar::Result;

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

// PEM keys are small; anything larger is not a key and would not fit BIO's int length.
constexpr std::size_t kMaxPemBytes = 1u << 20;

// The most specific thing OpenSSL queued, then an empty queue: a failure must not leave
// stale errors for an unrelated caller on the same thread.
std::string take_openssl_error() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  ERR_clear_error();
  return reason == nullptr ? std::string("unknown OpenSSL error") : std::string(reason);
}

constexpr const char* kSupported = "(only Ed25519 and ECDSA P-256 keys are accepted)";

// OpenSSL 3 reports P-256 as "prime256v1"; the other names are accepted in case a
// provider spells it differently.
Result<KeyAlgorithm> classify(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyAlgorithm::kEd25519;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) {
      ERR_clear_error();  // explicit curve parameters: refused, whatever curve they describe
      return Error{std::string("EC key without a named curve ") + kSupported};
    }
    std::string_view name(group, length);
    if (name == "prime256v1" || name == "P-256" || name == "secp256r1") {
      return KeyAlgorithm::kEcdsaP256Sha256;
    }
    return Error{"unsupported EC curve " + std::string(name) + " " + kSupported};
  }
  const char* type = EVP_PKEY_get0_type_name(key);
  return Error{"unsupported key type " + std::string(type == nullptr ? "(unknown)" : type) + " " +
               kSupported};
}

// The id is over the canonical SubjectPublicKeyInfo: for EC keys the point form is forced
// to uncompressed first, so a compressed-point PEM of the same key gets the same id.
Result<std::string> key_id(EVP_PKEY* key, KeyAlgorithm algorithm) {
  if (algorithm == KeyAlgorithm::kEcdsaP256Sha256 &&
      EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     "uncompressed") != 1) {
    return Error{"cannot encode the public key: " + take_openssl_error()};
  }
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0 || der == nullptr) {
    return Error{"cannot encode the public key: " + take_openssl_error()};
  }
  std::string id = sha256_hex(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return id;
}

Result<Key> make_key(EVP_PKEY* raw) {
  Key key;
  key.pkey.reset(raw);
  Result<KeyAlgorithm> algorithm = classify(raw);
  if (!algorithm) return algorithm.error();
  key.algorithm = *algorithm;
  Result<std::string> id = key_id(raw, key.algorithm);
  if (!id) return id.error();
  key.key_id = std::move(*id);
  return key;
}

struct PemBlock {
  std::string name;    // "PUBLIC KEY", "EC PRIVATE KEY", ...
  std::string header;  // "Proc-Type: 4,ENCRYPTED" etc. for traditional encrypted keys
  std::string der;
};

// The PEM blocks of `pem`, decoded but not interpreted: reading blocks generically keeps
// the error messages the same whatever OpenSSL's decoders would say about a stray block.
Result<std::vector<PemBlock>> read_pem_blocks(std::string_view pem, const std::string& origin) {
  constexpr std::size_t kMaxBlocks = 64;
  if (pem.size() > kMaxPemBytes) {
    return Error{origin + ": too large for a PEM key (" + std::to_string(pem.size()) + " bytes)"};
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Error{origin + ": " + take_openssl_error()};
  std::vector<PemBlock> blocks;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long length = 0;
    ERR_clear_error();
    if (PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) {
      unsigned long code = ERR_peek_last_error();
      if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) {
        ERR_clear_error();  // the end of the text
        return blocks;
      }
      return Error{origin + ": malformed PEM: " + take_openssl_error()};
    }
    blocks.push_back(
        {name, header,
         std::string(reinterpret_cast<char*>(data), static_cast<std::size_t>(length))});
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (blocks.size() > kMaxBlocks) return Error{origin + ": too many PEM blocks"};
  }
}

bool is_private_key_block(const std::string& name) {
  return name.find("PRIVATE KEY") != std::string::npos;
}

}  // namespace

void PkeyDeleter::operator()(evp_pkey_st* key) const {
  EVP_PKEY_free(key);
}

std::string_view algorithm_name(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kEd25519: return "ed25519";
    case KeyAlgorithm::kEcdsaP256Sha256: return "ecdsa-p256-sha256";
  }
  return "unknown";
}

std::optional<KeyAlgorithm> parse_algorithm(std::string_view name) {
  if (name == "ed25519") return KeyAlgorithm::kEd25519;
  if (name == "ecdsa-p256-sha256") return KeyAlgorithm::kEcdsaP256Sha256;
  return std::nullopt;
}

Result<std::vector<Key>> parse_public_keys_pem(std::string_view pem, const std::string& origin) {
  Result<std::vector<PemBlock>> blocks = read_pem_blocks(pem, origin);
  if (!blocks) return blocks.error();
  std::vector<Key> keys;
  for (const PemBlock& block : *blocks) {
    if (is_private_key_block(block.name)) {
      return Error{origin + ": holds a private key; trusted key files must hold public keys only"};
    }
    if (block.name != "PUBLIC KEY") {
      return Error{origin + ": unexpected PEM block \"" + block.name +
                   "\" (expected \"PUBLIC KEY\")"};
    }
    const auto* der = reinterpret_cast<const unsigned char*>(block.der.data());
    const unsigned char* end = der + block.der.size();
    ERR_clear_error();
    EVP_PKEY* raw = d2i_PUBKEY(nullptr, &der, static_cast<long>(block.der.size()));
    if (raw == nullptr || der != end) {
      EVP_PKEY_free(raw);
      return Error{origin + ": public key " + std::to_string(keys.size() + 1) +
                   " is not a valid SubjectPublicKeyInfo: " + take_openssl_error()};
    }
    Result<Key> key = make_key(raw);
    if (!key) {
      return Error{origin + ": public key " + std::to_string(keys.size() + 1) + ": " +
                   key.message()};
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) {
    return Error{origin + ": no PEM public key (\"-----BEGIN PUBLIC KEY-----\") found"};
  }
  return keys;
}

Result<Key> parse_private_key_pem(std::string_view pem, const std::string& origin) {
  Result<std::vector<PemBlock>> blocks = read_pem_blocks(pem, origin);
  if (!blocks) return blocks.error();
  const PemBlock* found = nullptr;
  for (const PemBlock& block : *blocks) {
    if (!is_private_key_block(block.name)) continue;  // e.g. "EC PARAMETERS" before the key
    if (block.name == "ENCRYPTED PRIVATE KEY" ||
        block.header.find("ENCRYPTED") != std::string::npos) {
      return Error{origin +
                   ": encrypted private keys are not supported (write a decrypted "
                   "copy with `openssl pkey -in KEY -out PLAIN`, kept private)"};
    }
    if (found != nullptr) return Error{origin + ": holds more than one private key"};
    found = &block;
  }
  if (found == nullptr) {
    return Error{origin + ": no PEM private key (\"-----BEGIN PRIVATE KEY-----\") found"};
  }
  const auto* der = reinterpret_cast<const unsigned char*>(found->der.data());
  ERR_clear_error();
  // Recognises PKCS#8 and the traditional per-algorithm forms ("EC PRIVATE KEY").
  EVP_PKEY* raw = d2i_AutoPrivateKey(nullptr, &der, static_cast<long>(found->der.size()));
  if (raw == nullptr) {
    return Error{origin + ": not a valid \"" + found->name + "\": " + take_openssl_error()};
  }
  Result<Key> key = make_key(raw);
  if (!key) return Error{origin + ": private key: " + key.message()};
  return key;
}

Result<std::string> sign_statement(const Key& key, std::string_view statement) {
  MdCtxPtr context(EVP_MD_CTX_new());
  const EVP_MD* digest = key.algorithm == KeyAlgorithm::kEd25519 ? nullptr : EVP_sha256();
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(statement.data());
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, key.pkey.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, data, statement.size()) != 1) {
    return Error{"signing failed: " + take_openssl_error()};
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     data, statement.size()) != 1) {
    return Error{"signing failed: " + take_openssl_error()};
  }
  signature.resize(length);  // a DER ECDSA signature is often shorter than the maximum
  return signature;
}

bool verify_statement(const Key& key, std::string_view statement, std::string_view signature) {
  if (signature.empty() || signature.size() > 1024) return false;
  if (key.algorithm == KeyAlgorithm::kEd25519 && signature.size() != 64) return false;
  MdCtxPtr context(EVP_MD_CTX_new());
  const EVP_MD* digest = key.algorithm == KeyAlgorithm::kEd25519 ? nullptr : EVP_sha256();
  bool valid =
      context &&
      EVP_DigestVerifyInit(context.get(), nullptr, digest, nullptr, key.pkey.get()) == 1 &&
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(statement.data()),
                       statement.size()) == 1;
  ERR_clear_error();  // a bad signature queues errors nobody should see later
  return valid;
}

}  // namespace crossgate::bundle
