// The claims of a JWT (RFC 7519 section 4) that crossgate reads, and the checks that run
// at every use of a token, cached or not: audience and validity period at `now`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "policy/identity/jwt.h"

namespace crossgate::identity {

struct ClaimsProblem {
  JwtFailure failure;
  std::string message;
};

// Fills the registered claims and GitHub Actions' (repository, repository_id, environment,
// job_workflow_ref) from a JWT payload. Refuses ill-typed registered claims and a missing
// "exp"; NumericDates may be fractional and are rounded down.
std::optional<ClaimsProblem> read_claims(const nlohmann::json& payload, JwtClaims& claims);

// The per-use checks: `audience` among "aud"; then, with `leeway` seconds of clock skew,
// not expired (now < exp + leeway), not before "nbf" and not issued in the future.
std::optional<ClaimsProblem> check_claims(const JwtClaims& claims, std::string_view audience,
                                          std::int64_t leeway, std::int64_t now);

// exp + leeway, saturated: the first second at which a token is no longer accepted.
std::int64_t expiry_with_leeway(std::int64_t exp, std::int64_t leeway);

// "2026-11-27T10:00:00Z" (UTC); seconds since the epoch for years outside 1-9999.
std::string iso8601_utc(std::int64_t seconds);

}  // namespace crossgate::identity
