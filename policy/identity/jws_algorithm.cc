// The accepted JWS algorithms and the refusal messages for the others (see jws_algorithm.h).
#include "policy/identity/jws_algorithm.h"

#include <array>
#include <cstdio>

namespace crossgate::identity {
namespace {

constexpr std::array<JwsAlgorithm, 9> kAlgorithms = {{
    {"RS256", JwsFamily::kRsaPkcs1, 256, "RSA", "", 0},
    {"RS384", JwsFamily::kRsaPkcs1, 384, "RSA", "", 0},
    {"RS512", JwsFamily::kRsaPkcs1, 512, "RSA", "", 0},
    {"PS256", JwsFamily::kRsaPss, 256, "RSA", "", 0},
    {"PS384", JwsFamily::kRsaPss, 384, "RSA", "", 0},
    {"PS512", JwsFamily::kRsaPss, 512, "RSA", "", 0},
    {"ES256", JwsFamily::kEcdsa, 256, "EC", "P-256", 64},
    {"ES384", JwsFamily::kEcdsa, 384, "EC", "P-384", 96},
    {"EdDSA", JwsFamily::kEdDsa, 0, "OKP", "Ed25519", 64},
}};

}  // namespace

const JwsAlgorithm* find_jws_algorithm(std::string_view name) {
  for (const JwsAlgorithm& algorithm : kAlgorithms) {
    if (algorithm.name == name) return &algorithm;
  }
  return nullptr;
}

std::string refused_algorithm_message(std::string_view name) {
  std::string message = "algorithm " + quote_untrusted(name);
  if (name == "none") return message + " is refused (the token is not signed)";
  if (name.size() >= 2 && name.substr(0, 2) == "HS") {
    return message + " is refused (HMAC: a shared secret cannot prove a workload's identity)";
  }
  return message + " is not supported (accepted: RS256, RS384, RS512, PS256, PS384, PS512, " +
         "ES256, ES384, EdDSA)";
}

std::string quote_untrusted(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  std::string out = "\"";
  std::size_t shown = 0;
  for (char ch : text) {
    if (shown++ == kMaxShown) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace crossgate::identity
