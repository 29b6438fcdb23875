// SPIFFE ID validation (see spiffe_id.h) and spiffe_trust_domain (declared in jwt.h).
#include "policy/identity/spiffe_id.h"

#include "policy/identity/jwt.h"

namespace crossgate::identity {
namespace {

constexpr std::string_view kScheme = "spiffe://";

bool is_trust_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

bool is_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> spiffe_id_problem(std::string_view id, bool require_path) {
  if (id.size() > kMaxSpiffeIdBytes) {
    return "longer than " + std::to_string(kMaxSpiffeIdBytes) + " bytes";
  }
  // The scheme is matched exactly, as the SPIFFE libraries do: IDs are compared as strings.
  if (id.substr(0, kScheme.size()) != kScheme) return std::string("the scheme is not spiffe://");
  std::string_view rest = id.substr(kScheme.size());
  std::string_view trust_domain = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(trust_domain.size());
  if (trust_domain.empty()) return std::string("the trust domain is empty");
  if (trust_domain.size() > kMaxTrustDomainBytes) {
    return "the trust domain is longer than " + std::to_string(kMaxTrustDomainBytes) + " bytes";
  }
  for (char c : trust_domain) {
    if (c == ':') return std::string("a port is not allowed");
    if (c == '@') return std::string("user info is not allowed");
    if (c == '%') return std::string("percent-encoding is not allowed");
    if (c == '?') return std::string("a query is not allowed");
    if (c == '#') return std::string("a fragment is not allowed");
    if (c >= 'A' && c <= 'Z') return std::string("the trust domain must be lowercase");
    if (!is_trust_domain_char(c)) return std::string("the trust domain has an invalid character");
  }
  if (path.empty()) {
    if (require_path) return std::string("no path (a workload ID needs one)");
    return std::nullopt;
  }
  // path starts with '/': check each segment after a slash.
  std::size_t start = 1;
  while (true) {
    std::size_t end = path.find('/', start);
    std::string_view segment =
        path.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment.empty()) {
      return std::string(end == std::string_view::npos ? "a trailing slash is not allowed"
                                                       : "the path has an empty segment");
    }
    if (segment == "." || segment == "..") {
      return std::string("the path has a '.' or '..' segment");
    }
    for (char c : segment) {
      if (c == '%') return std::string("percent-encoding is not allowed");
      if (c == '?') return std::string("a query is not allowed");
      if (c == '#') return std::string("a fragment is not allowed");
      if (!is_path_char(c)) return std::string("the path has an invalid character");
    }
    if (end == std::string_view::npos) return std::nullopt;
    start = end + 1;
  }
}

std::optional<std::string> spiffe_trust_domain(std::string_view spiffe_id) {
  if (spiffe_id_problem(spiffe_id, /*require_path=*/false)) return std::nullopt;
  std::string_view rest = spiffe_id.substr(kScheme.size());
  return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace crossgate::identity
