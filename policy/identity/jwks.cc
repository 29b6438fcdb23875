// JSON Web Key Sets (RFC 7517) and signature verification with their keys (RFC 7518,
// RFC 8037). Keys are built with the OpenSSL 3 provider APIs; an EC point that is not on
// its curve is refused when the key is built, not when a token arrives.
#include "policy/identity/jwks.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <fstream>

#include "policy/cedar/common/json.h"
#include "policy/identity/base64url.h"
#include "policy/identity/jws_algorithm.h"
#include "policy/identity/openssl_util.h"

namespace crossgate::identity {

struct Jwk::Key {
  ossl::PkeyPtr pkey;
  int bits = 0;
};

namespace {

using nlohmann::json;

// Bounds on configuration input: a key set file, its number of keys, and an RSA modulus
// (verification cost grows with the modulus; nothing legitimate exceeds 16384 bits).
constexpr std::size_t kMaxJwksBytes = 1 << 20;
constexpr std::size_t kMaxKeys = 1000;
constexpr int kMaxRsaBits = 16384;

// Thrown inside parse_key and turned into an Error naming the set and key; keeps the
// many field checks readable.
struct KeyError {
  std::string message;
};

// Unsupported key types, curves or algorithms: skipped rather than refused, as RFC 7517
// section 5 asks, so that a published set may carry keys crossgate has no use for.
struct SkipKey {};

const EVP_MD* digest_for(int hash_bits) {
  switch (hash_bits) {
    case 256: return EVP_sha256();
    case 384: return EVP_sha384();
    case 512: return EVP_sha512();
    default: return nullptr;  // EdDSA signs the message itself
  }
}

const std::string* optional_string(const json& key, const char* name) {
  auto it = key.find(name);
  if (it == key.end()) return nullptr;
  if (!it->is_string()) {
    throw KeyError{std::string("\"") + name + "\" must be a string, not " +
                   std::string(cedar::json_type_name(*it))};
  }
  return it->get_ptr<const std::string*>();
}

std::string required_bytes(const json& key, const char* name) {
  const std::string* text = optional_string(key, name);
  if (text == nullptr) throw KeyError{std::string("missing \"") + name + "\""};
  auto bytes = base64url_decode(*text);
  if (!bytes) throw KeyError{std::string("\"") + name + "\" is not base64url: " + bytes.message()};
  if (bytes->empty()) throw KeyError{std::string("\"") + name + "\" is empty"};
  return std::move(bytes).value();
}

BIGNUM* to_bignum(const std::string& bytes) {
  return BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size()), nullptr);
}

ossl::PkeyPtr from_params(const char* type, const OSSL_PARAM* params) {
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
          1) {
    ossl::clear_errors();
    return nullptr;
  }
  return ossl::PkeyPtr(pkey);
}

ossl::PkeyPtr rsa_key(const json& key) {
  std::string n_bytes = required_bytes(key, "n");
  std::string e_bytes = required_bytes(key, "e");
  ossl::BignumPtr n(to_bignum(n_bytes));
  ossl::BignumPtr e(to_bignum(e_bytes));
  if (!n || !e) throw KeyError{"out of memory"};
  if (BN_num_bits(n.get()) > kMaxRsaBits) {
    throw KeyError{"RSA modulus larger than " + std::to_string(kMaxRsaBits) + " bits"};
  }
  if (!BN_is_odd(n.get())) throw KeyError{"RSA modulus \"n\" is even"};
  if (!BN_is_odd(e.get()) || BN_num_bits(e.get()) < 2 || BN_cmp(e.get(), n.get()) >= 0) {
    throw KeyError{"RSA exponent \"e\" is not an odd number between 3 and the modulus"};
  }
  ossl::ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    throw KeyError{"out of memory"};
  }
  ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  ossl::PkeyPtr pkey = params ? from_params("RSA", params.get()) : nullptr;
  if (!pkey) throw KeyError{"OpenSSL refused the RSA key"};
  return pkey;
}

ossl::PkeyPtr ec_key(const json& key, const std::string& curve) {
  std::size_t coordinate_size = curve == "P-256" ? 32 : 48;
  std::string x = required_bytes(key, "x");
  std::string y = required_bytes(key, "y");
  // RFC 7518 section 6.2.1.2: coordinates are the full size of the field, leading zeros kept.
  if (x.size() != coordinate_size || y.size() != coordinate_size) {
    throw KeyError{"\"x\" and \"y\" of a " + curve + " key must be " +
                   std::to_string(coordinate_size) + " bytes each"};
  }
  std::string point = "\x04" + x + y;  // uncompressed SEC 1 encoding
  ossl::ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(),
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    throw KeyError{"out of memory"};
  }
  ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  ossl::PkeyPtr pkey = params ? from_params("EC", params.get()) : nullptr;
  if (pkey) {
    // Importing already decodes the point onto the curve; the full public key check also
    // refuses the point at infinity and points outside the prime-order subgroup.
    ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) pkey.reset();
    ossl::clear_errors();
  }
  if (!pkey) throw KeyError{"the point (x, y) is not on the curve " + curve};
  return pkey;
}

ossl::PkeyPtr ed25519_key(const json& key) {
  std::string x = required_bytes(key, "x");
  if (x.size() != 32) throw KeyError{"\"x\" of an Ed25519 key must be 32 bytes"};
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key_ex(
      nullptr, "ED25519", nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  if (pkey == nullptr) {
    ossl::clear_errors();
    throw KeyError{"OpenSSL refused the Ed25519 key"};
  }
  return ossl::PkeyPtr(pkey);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Jwk

Jwk::Jwk() = default;
Jwk::~Jwk() = default;
Jwk::Jwk(Jwk&&) noexcept = default;
Jwk& Jwk::operator=(Jwk&&) noexcept = default;

int Jwk::bits() const {
  return key_ ? key_->bits : 0;
}

bool Jwk::allows(std::string_view alg) const {
  const JwsAlgorithm* algorithm = find_jws_algorithm(alg);
  if (algorithm == nullptr || !key_) return false;
  if (!alg_.empty() && alg_ != alg) return false;
  if (algorithm->key_type != key_type_ || algorithm->curve != curve_) return false;
  return key_type_ != "RSA" || key_->bits >= kMinRsaBits;
}

bool Jwk::verify(std::string_view alg, std::string_view signing_input,
                 std::string_view signature) const {
  if (!allows(alg)) return false;
  const JwsAlgorithm& algorithm = *find_jws_algorithm(alg);
  const EVP_MD* md = digest_for(algorithm.hash_bits);

  std::string der;  // ES*: JWS carries R||S (RFC 7518 section 3.4), OpenSSL wants DER
  auto sig = reinterpret_cast<const unsigned char*>(signature.data());
  std::size_t sig_size = signature.size();
  switch (algorithm.family) {
    case JwsFamily::kEcdsa: {
      if (signature.size() != algorithm.signature_size) return false;
      std::size_t half = signature.size() / 2;
      ossl::BignumPtr r(BN_bin2bn(sig, static_cast<int>(half), nullptr));
      ossl::BignumPtr s(BN_bin2bn(sig + half, static_cast<int>(half), nullptr));
      ossl::EcdsaSigPtr ecdsa(ECDSA_SIG_new());
      if (!r || !s || !ecdsa || ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1) return false;
      r.release();  // owned by ecdsa now
      s.release();
      int size = i2d_ECDSA_SIG(ecdsa.get(), nullptr);
      if (size <= 0) return false;
      der.resize(static_cast<std::size_t>(size));
      auto* out = reinterpret_cast<unsigned char*>(der.data());
      if (i2d_ECDSA_SIG(ecdsa.get(), &out) != size) return false;
      sig = reinterpret_cast<const unsigned char*>(der.data());
      sig_size = der.size();
      break;
    }
    case JwsFamily::kEdDsa:
      if (signature.size() != algorithm.signature_size) return false;
      break;
    case JwsFamily::kRsaPkcs1:
    case JwsFamily::kRsaPss:
      // RFC 8017: the signature is exactly as long as the modulus.
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key_->pkey.get()))) {
        return false;
      }
      break;
  }

  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key_->pkey.get()) == 1;
  if (ok && algorithm.family == JwsFamily::kRsaPss) {
    // RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash.
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  } else if (ok && algorithm.family == JwsFamily::kRsaPkcs1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), sig, sig_size,
                              reinterpret_cast<const unsigned char*>(signing_input.data()),
                              signing_input.size()) == 1;
  if (!ok) ossl::clear_errors();
  return ok;
}

// ---------------------------------------------------------------------------------------
// JwkSet

JwkSet::JwkSet() = default;
JwkSet::~JwkSet() = default;
JwkSet::JwkSet(JwkSet&&) noexcept = default;
JwkSet& JwkSet::operator=(JwkSet&&) noexcept = default;

Result<JwkSet> JwkSet::parse(std::string_view text, const std::string& origin) {
  auto document = cedar::parse_json(text, origin);
  if (!document) return document.error();
  if (!document->is_object()) {
    return Error{origin + ": a key set must be a JSON object with \"keys\", not " +
                 std::string(cedar::json_type_name(*document))};
  }
  auto keys = document->find("keys");
  if (keys == document->end() || !keys->is_array()) {
    return Error{origin + ": a key set needs a \"keys\" array"};
  }
  if (keys->size() > kMaxKeys) {
    return Error{origin + ": more than " + std::to_string(kMaxKeys) + " keys"};
  }

  JwkSet set;
  for (std::size_t index = 0; index < keys->size(); ++index) {
    const json& entry = (*keys)[index];
    std::string where = origin + ": keys[" + std::to_string(index) + "]";
    try {
      if (!entry.is_object()) {
        throw KeyError{"a key must be an object, not " + std::string(cedar::json_type_name(entry))};
      }
      Jwk jwk;
      if (const std::string* kid = optional_string(entry, "kid")) {
        jwk.key_id_ = *kid;
        where += " (kid " + quote_untrusted(*kid) + ")";
      }
      const std::string* kty = optional_string(entry, "kty");
      if (kty == nullptr) throw KeyError{"missing \"kty\""};
      // "sig" (RFC 7517), or "jwt-svid" in a SPIFFE trust bundle (SPIFFE_Trust_Domain_and_
      // Bundle.md section 4.2.2). Encryption keys and a bundle's X.509 CA keys ("x509-svid")
      // must not verify tokens.
      if (const std::string* use = optional_string(entry, "use");
          use != nullptr && *use != "sig" && *use != "jwt-svid") {
        throw SkipKey{};
      }
      if (auto ops = entry.find("key_ops"); ops != entry.end()) {
        if (!ops->is_array()) throw KeyError{"\"key_ops\" must be an array"};
        bool verifies = false;
        for (const json& op : *ops)
          verifies = verifies || op == "verify";
        if (!verifies) throw SkipKey{};
      }
      const JwsAlgorithm* algorithm = nullptr;
      if (const std::string* alg = optional_string(entry, "alg")) {
        algorithm = find_jws_algorithm(*alg);
        if (algorithm == nullptr) throw SkipKey{};  // e.g. RSA-OAEP, HS256, ES512
        jwk.alg_ = *alg;
      }

      jwk.key_type_ = *kty;
      jwk.key_ = std::make_unique<Jwk::Key>();
      if (*kty == "RSA") {
        jwk.key_->pkey = rsa_key(entry);
      } else if (*kty == "EC" || *kty == "OKP") {
        const std::string* crv = optional_string(entry, "crv");
        if (crv == nullptr) throw KeyError{"missing \"crv\""};
        jwk.curve_ = *crv;
        if (*kty == "EC" && (*crv == "P-256" || *crv == "P-384")) {
          jwk.key_->pkey = ec_key(entry, *crv);
        } else if (*kty == "OKP" && *crv == "Ed25519") {
          jwk.key_->pkey = ed25519_key(entry);
        } else {
          throw SkipKey{};  // P-521, secp256k1, X25519, Ed448, ...
        }
      } else {
        throw SkipKey{};  // "oct" (shared secrets) and unknown types
      }
      jwk.key_->bits = EVP_PKEY_get_bits(jwk.key_->pkey.get());
      if (algorithm != nullptr &&
          (algorithm->key_type != jwk.key_type_ || algorithm->curve != jwk.curve_)) {
        throw KeyError{"\"alg\" " + quote_untrusted(jwk.alg_) + " does not fit a " + jwk.key_type_ +
                       (jwk.curve_.empty() ? "" : " " + jwk.curve_) + " key"};
      }
      if (!jwk.key_id_.empty() && set.find(jwk.key_id_) != nullptr) {
        throw KeyError{"duplicate kid"};
      }
      set.keys_.push_back(std::move(jwk));
    } catch (const KeyError& error) {
      return Error{where + ": " + error.message};
    } catch (const SkipKey&) {
      continue;
    }
  }
  if (set.keys_.empty()) return Error{origin + ": no usable signature verification key"};
  return set;
}

Result<JwkSet> JwkSet::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path.string() + ": cannot open the key set file"};
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxJwksBytes) {
      return Error{path.string() + ": key set file larger than " + std::to_string(kMaxJwksBytes) +
                   " bytes"};
    }
  }
  if (in.bad()) return Error{path.string() + ": cannot read the key set file"};
  return parse(text, path.string());
}

const Jwk* JwkSet::find(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? &keys_.front() : nullptr;
  for (const Jwk& key : keys_) {
    if (key.key_id_ == kid) return &key;
  }
  return nullptr;
}

}  // namespace crossgate::identity
