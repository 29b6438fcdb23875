// Test-only key generation and JWT minting with OpenSSL (see jwt_minter.h).
#include "tests/support/jwt_minter.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace crossgate::testing {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& what) {
  char detail[256] = "";
  ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
  ERR_clear_error();
  throw std::runtime_error("jwt_minter: " + what + ": " + detail);
}

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;

std::string bytes_of(const BIGNUM* bn, int size = 0) {
  std::string out(static_cast<std::size_t>(size > 0 ? size : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

BignumPtr bn_param(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) fail(std::string("reading ") + name);
  return BignumPtr(bn);
}

// "RS256" -> SHA-256; EdDSA -> nullptr (Ed25519 hashes internally).
const EVP_MD* digest_for(std::string_view alg) {
  if (alg == "EdDSA") return nullptr;
  if (alg.size() == 5 && alg.substr(2) == "256") return EVP_sha256();
  if (alg.size() == 5 && alg.substr(2) == "384") return EVP_sha384();
  if (alg.size() == 5 && alg.substr(2) == "512") return EVP_sha512();
  throw std::invalid_argument("jwt_minter: cannot sign with algorithm " + std::string(alg));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string part_of(std::string_view token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i)
    start = token.find('.', start) + 1;
  std::size_t end = token.find('.', start);
  return std::string(token.substr(start, end == std::string_view::npos ? end : end - start));
}

std::string base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard)
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (standard.size() % 4 != 0)
    standard.push_back('=');
  std::string out(standard.size() / 4 * 3, '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(standard.data()),
                             static_cast<int>(standard.size()));
  if (size < 0) throw std::invalid_argument("jwt_minter: not base64url");
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t padding = standard.size() - text.size();
  out.resize(static_cast<std::size_t>(size) - padding);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// SigningKey

void SigningKey::Free::operator()(EVP_PKEY* pkey) const {
  EVP_PKEY_free(pkey);
}

SigningKey::SigningKey(KeyKind kind, std::string kid, EVP_PKEY* pkey)
    : kind_(kind), kid_(std::move(kid)), pkey_(pkey) {
  if (pkey == nullptr) fail("generating a key");
}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::rsa(std::string kid, int bits) {
  return SigningKey(KeyKind::kRsa, std::move(kid),
                    EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
}
SigningKey SigningKey::ec_p256(std::string kid) {
  return SigningKey(KeyKind::kEcP256, std::move(kid),
                    EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}
SigningKey SigningKey::ec_p384(std::string kid) {
  return SigningKey(KeyKind::kEcP384, std::move(kid),
                    EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
}
SigningKey SigningKey::ed25519(std::string kid) {
  return SigningKey(KeyKind::kEd25519, std::move(kid),
                    EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}
SigningKey SigningKey::generate(KeyKind kind, std::string kid) {
  switch (kind) {
    case KeyKind::kRsa: return rsa(std::move(kid));
    case KeyKind::kEcP256: return ec_p256(std::move(kid));
    case KeyKind::kEcP384: return ec_p384(std::move(kid));
    case KeyKind::kEd25519: return ed25519(std::move(kid));
  }
  throw std::invalid_argument("jwt_minter: unknown key kind");
}

std::string SigningKey::default_algorithm() const {
  switch (kind_) {
    case KeyKind::kRsa: return "RS256";
    case KeyKind::kEcP256: return "ES256";
    case KeyKind::kEcP384: return "ES384";
    case KeyKind::kEd25519: return "EdDSA";
  }
  return "";
}

json SigningKey::public_jwk(std::string_view alg) const {
  json jwk = {{"kid", kid_}, {"use", "sig"}};
  switch (kind_) {
    case KeyKind::kRsa:
      jwk["kty"] = "RSA";
      jwk["n"] = base64url(bytes_of(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N).get()));
      jwk["e"] = base64url(bytes_of(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E).get()));
      break;
    case KeyKind::kEcP256:
    case KeyKind::kEcP384: {
      int size = kind_ == KeyKind::kEcP256 ? 32 : 48;
      jwk["kty"] = "EC";
      jwk["crv"] = kind_ == KeyKind::kEcP256 ? "P-256" : "P-384";
      jwk["x"] = base64url(bytes_of(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X).get(), size));
      jwk["y"] = base64url(bytes_of(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y).get(), size));
      break;
    }
    case KeyKind::kEd25519: {
      std::string x(32, '\0');
      std::size_t size = x.size();
      if (EVP_PKEY_get_raw_public_key(pkey_.get(), reinterpret_cast<unsigned char*>(x.data()),
                                      &size) != 1) {
        fail("reading the Ed25519 public key");
      }
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = base64url(x);
      break;
    }
  }
  if (!alg.empty()) jwk["alg"] = alg;
  return jwk;
}

std::string SigningKey::sign(std::string_view alg, std::string_view signing_input) const {
  const EVP_MD* md = digest_for(alg);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey_.get()) != 1) {
    fail("starting to sign with " + std::string(alg));
  }
  if (alg.substr(0, 2) == "PS") {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
      fail("setting up PSS");
    }
  }
  auto input = reinterpret_cast<const unsigned char*>(signing_input.data());
  std::size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, input, signing_input.size()) != 1) {
    fail("sizing the signature");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, input,
                     signing_input.size()) != 1) {
    fail("signing with " + std::string(alg));
  }
  signature.resize(size);
  if (kind_ != KeyKind::kEcP256 && kind_ != KeyKind::kEcP384) return signature;

  // ECDSA: OpenSSL produces DER; JWS wants R||S, each the curve's size (RFC 7518 3.4).
  auto der = reinterpret_cast<const unsigned char*>(signature.data());
  EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size())));
  if (!ecdsa) fail("decoding the ECDSA signature");
  int half = kind_ == KeyKind::kEcP256 ? 32 : 48;
  return bytes_of(ECDSA_SIG_get0_r(ecdsa.get()), half) +
         bytes_of(ECDSA_SIG_get0_s(ecdsa.get()), half);
}

std::string SigningKey::private_key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    fail("writing the private key");
  }
  return bio_text(bio.get());
}

std::string SigningKey::public_key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) fail("writing the public key");
  return bio_text(bio.get());
}

// ---------------------------------------------------------------------------------------
// Key sets and tokens

std::string jwks_json(std::initializer_list<const SigningKey*> keys) {
  std::vector<json> jwks;
  for (const SigningKey* key : keys)
    jwks.push_back(key->public_jwk());
  return jwks_json(jwks);
}

std::string jwks_json(const std::vector<json>& jwks) {
  return json{{"keys", jwks}}.dump();
}

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(size));
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  for (char& c : out)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string mint_jwt(const SigningKey& key, const json& claims, const JwtOptions& options) {
  std::string alg = options.alg.empty() ? key.default_algorithm() : options.alg;
  json header = {{"alg", alg}};
  if (options.include_kid) header["kid"] = key.kid();
  if (options.typ) header["typ"] = *options.typ;
  for (const auto& [name, value] : options.extra_header.items())
    header[name] = value;
  std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
  return signing_input + "." + base64url(key.sign(alg, signing_input));
}

std::string mint_unsigned_jwt(const json& claims) {
  json header = {{"alg", "none"}, {"typ", "JWT"}};
  return base64url(header.dump()) + "." + base64url(claims.dump()) + ".";
}

std::string mint_hs256_jwt(std::string_view secret, const json& claims, std::string_view kid) {
  json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
           &size) == nullptr) {
    fail("HMAC");
  }
  return signing_input + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), size));
}

std::string assemble_jws(std::string_view header_bytes, std::string_view payload_bytes,
                         std::string_view signature_bytes) {
  return base64url(header_bytes) + "." + base64url(payload_bytes) + "." +
         base64url(signature_bytes);
}

std::string replace_payload(std::string_view token, const json& claims) {
  return part_of(token, 0) + "." + base64url(claims.dump()) + "." + part_of(token, 2);
}

std::string corrupt_signature(std::string_view token) {
  std::string signature = base64url_decode(part_of(token, 2));
  if (signature.empty()) throw std::invalid_argument("jwt_minter: token has no signature");
  signature[signature.size() / 2] = static_cast<char>(signature[signature.size() / 2] ^ 0x01);
  return replace_signature(token, signature);
}

std::string replace_signature(std::string_view token, std::string_view signature_bytes) {
  return part_of(token, 0) + "." + part_of(token, 1) + "." + base64url(signature_bytes);
}

// ---------------------------------------------------------------------------------------
// Claim sets

json jwt_svid_claims(std::string_view spiffe_id, std::string_view audience, std::int64_t now,
                     std::int64_t lifetime) {
  return {{"sub", spiffe_id}, {"aud", audience}, {"iat", now}, {"exp", now + lifetime}};
}

json github_actions_claims(const GithubActionsRun& run, std::string_view audience, std::int64_t now,
                           std::int64_t lifetime) {
  std::string workflow_ref = run.repository + "/" + run.workflow + "@" + run.ref;
  return {{"iss", kGithubActionsIssuer},
          {"sub", "repo:" + run.repository + ":environment:" + run.environment},
          {"aud", audience},
          {"repository", run.repository},
          {"repository_id", run.repository_id},
          {"repository_owner", run.repository.substr(0, run.repository.find('/'))},
          {"environment", run.environment},
          {"ref", run.ref},
          {"job_workflow_ref", workflow_ref},
          {"workflow_ref", workflow_ref},
          {"iat", now},
          {"nbf", now},
          {"exp", now + lifetime}};
}

}  // namespace crossgate::testing
