// Compact JWS reading (see compact_jws.h).
#include "policy/identity/compact_jws.h"

#include <algorithm>

#include "policy/cedar/common/json.h"
#include "policy/identity/base64url.h"

namespace crossgate::identity {
namespace {

// The token's JSON is attacker-chosen: nesting is kept shallow, well below the engine's
// general limit, since no claim crossgate reads is nested deeper than an array of strings.
constexpr int kMaxTokenJsonDepth = 16;

JwsError malformed(std::string message) {
  return {JwsProblem::kMalformed, std::move(message)};
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// Decodes one part and parses it as a JSON object. parse_json's messages quote the input
// they stopped at, which is token content, so only the kind of failure is reported.
std::optional<JwsError> decode_object(std::string_view part, const char* what,
                                      nlohmann::json& out) {
  auto bytes = base64url_decode(part);
  if (!bytes)
    return malformed(std::string("token ") + what + " is not base64url: " + bytes.message());
  auto parsed = cedar::parse_json(*bytes, what, kMaxTokenJsonDepth);
  if (!parsed) return malformed(std::string("token ") + what + " is not valid JSON");
  if (!parsed->is_object()) {
    return malformed(std::string("token ") + what + " must be a JSON object, not " +
                     std::string(cedar::json_type_name(*parsed)));
  }
  out = std::move(parsed).value();
  return std::nullopt;
}

}  // namespace

std::optional<JwsError> parse_compact_jws(std::string_view token, CompactJws& out) {
  if (token.size() > kMaxTokenBytes) {
    return malformed("token is larger than " + std::to_string(kMaxTokenBytes) + " bytes");
  }
  if (token.empty()) return malformed("token is empty");
  std::size_t first = token.find('.');
  std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  std::size_t parts = static_cast<std::size_t>(std::count(token.begin(), token.end(), '.')) + 1;
  if (parts != 3) {
    return malformed("token has " + std::to_string(parts) + (parts == 1 ? " part" : " parts") +
                     "; a compact JWS has 3 (header.payload.signature)");
  }
  std::string_view header_part = token.substr(0, first);
  std::string_view payload_part = token.substr(first + 1, second - first - 1);
  std::string_view signature_part = token.substr(second + 1);
  out.signing_input = token.substr(0, second);

  nlohmann::json header;
  if (auto error = decode_object(header_part, "header", header)) return error;
  auto alg = header.find("alg");
  if (alg == header.end()) return malformed("token header has no \"alg\"");
  if (!alg->is_string()) return malformed("token header \"alg\" must be a string");
  out.algorithm_name = alg->get<std::string>();
  if (auto kid = header.find("kid"); kid != header.end()) {
    if (!kid->is_string()) return malformed("token header \"kid\" must be a string");
    out.key_id = kid->get<std::string>();
  }
  out.algorithm = find_jws_algorithm(out.algorithm_name);
  if (out.algorithm == nullptr) {
    return JwsError{JwsProblem::kAlgorithm, refused_algorithm_message(out.algorithm_name)};
  }
  // RFC 7515 section 4.1.11: a recipient that does not understand a listed extension must
  // refuse the token; crossgate understands none.
  if (header.contains("crit")) {
    return malformed("token header has \"crit\" (critical extensions are not supported)");
  }
  if (auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string() || !(iequals(typ->get_ref<const std::string&>(), "JWT") ||
                               iequals(typ->get_ref<const std::string&>(), "JOSE"))) {
      return malformed("token type (\"typ\") " +
                       (typ->is_string() ? quote_untrusted(typ->get_ref<const std::string&>())
                                         : std::string(cedar::json_type_name(*typ))) +
                       " is not JWT or JOSE");
    }
  }
  // "jwk", "jku", "x5c" and "x5u" are ignored on purpose: keys come from configuration
  // only, never from the token they would vouch for.

  if (auto error = decode_object(payload_part, "payload", out.payload)) return error;
  auto signature = base64url_decode(signature_part);
  if (!signature) return malformed("token signature is not base64url: " + signature.message());
  if (signature->empty()) return malformed("token signature is empty");
  out.signature = std::move(signature).value();
  return std::nullopt;
}

}  // namespace crossgate::identity
