// SPIFFE ID syntax (SPIFFE-ID.md section 2): "spiffe://<trust-domain>[/<path>]" with a
// lowercase trust domain of [a-z0-9.-_], path segments of [a-zA-Z0-9.-_] that are neither
// empty, "." nor "..", and no port, user info, percent-encoding, query, fragment or
// trailing slash. Shared by JWT-SVID subjects and X.509-SVID URI SANs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crossgate::identity {

inline constexpr std::size_t kMaxSpiffeIdBytes = 2048;
inline constexpr std::size_t kMaxTrustDomainBytes = 255;

// nullopt when `id` is a valid SPIFFE ID, otherwise what is wrong with it ("the trust
// domain has an invalid character", ...), without quoting it. A workload's ID must name a
// workload, so `require_path` refuses the bare trust domain ID ("spiffe://example.org"),
// which identifies the trust domain's signing authority.
std::optional<std::string> spiffe_id_problem(std::string_view id, bool require_path);

// Convenience: a valid SPIFFE ID with a non-empty path.
inline bool is_workload_spiffe_id(std::string_view id) {
  return !spiffe_id_problem(id, /*require_path=*/true).has_value();
}

}  // namespace crossgate::identity
