// JWT claims: reading them from a payload and the per-use checks (see jwt_claims.h).
#include "policy/identity/jwt_claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "policy/cedar/common/json.h"
#include "policy/identity/jws_algorithm.h"

namespace crossgate::identity {
namespace {

using nlohmann::json;
using Int = std::int64_t;

ClaimsProblem claims_problem(std::string message) {
  return {JwtFailure::kClaims, std::move(message)};
}

std::optional<ClaimsProblem> read_string(const json& payload, const char* name, std::string& out) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_string()) {
    return claims_problem(std::string("claim \"") + name + "\" must be a string, not " +
                          std::string(cedar::json_type_name(*it)));
  }
  out = it->get<std::string>();
  return std::nullopt;
}

// RFC 7519 section 2: a NumericDate is a JSON number of seconds, possibly fractional.
std::optional<ClaimsProblem> read_numeric_date(const json& payload, const char* name,
                                               std::optional<Int>& out) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  auto out_of_range = [&] {
    return claims_problem(std::string("claim \"") + name + "\" is out of range");
  };
  switch (it->type()) {
    case json::value_t::number_integer: out = it->get<Int>(); break;
    case json::value_t::number_unsigned: {
      auto value = it->get<std::uint64_t>();
      if (value > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
        return out_of_range();
      }
      out = static_cast<Int>(value);
      break;
    }
    case json::value_t::number_float: {
      double value = std::floor(it->get<double>());
      // 2^63 is exactly representable; every double in [-2^63, 2^63) converts exactly.
      constexpr double kLimit = 9223372036854775808.0;
      if (!(value >= -kLimit && value < kLimit)) return out_of_range();
      out = static_cast<Int>(value);
      break;
    }
    default:
      return claims_problem(std::string("claim \"") + name + "\" must be a number, not " +
                            std::string(cedar::json_type_name(*it)));
  }
  return std::nullopt;
}

Int saturating_add(Int a, Int b) {
  Int sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<Int>::max() : std::numeric_limits<Int>::min();
  }
  return sum;
}

}  // namespace

std::optional<ClaimsProblem> read_claims(const json& payload, JwtClaims& claims) {
  if (auto problem = read_string(payload, "iss", claims.issuer)) return problem;
  if (auto problem = read_string(payload, "sub", claims.subject)) return problem;
  if (auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) {
      claims.audience.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const json& entry : *aud) {
        if (!entry.is_string()) return claims_problem("claim \"aud\" must hold only strings");
        claims.audience.push_back(entry.get<std::string>());
      }
    } else {
      return claims_problem("claim \"aud\" must be a string or an array of strings, not " +
                            std::string(cedar::json_type_name(*aud)));
    }
  }
  if (auto problem = read_numeric_date(payload, "exp", claims.expires_at)) return problem;
  if (auto problem = read_numeric_date(payload, "nbf", claims.not_before)) return problem;
  if (auto problem = read_numeric_date(payload, "iat", claims.issued_at)) return problem;

  // GitHub Actions claims are informational here (the registry matches them): taken when
  // they are strings, repository_id also as an integer (GitHub sends a string).
  auto take_string = [&](const char* name, std::string& out) {
    if (auto it = payload.find(name); it != payload.end() && it->is_string()) {
      out = it->get<std::string>();
    }
  };
  take_string("repository", claims.repository);
  take_string("environment", claims.environment);
  take_string("job_workflow_ref", claims.job_workflow_ref);
  take_string("repository_id", claims.repository_id);
  if (auto it = payload.find("repository_id");
      it != payload.end() && (it->is_number_integer() || it->is_number_unsigned())) {
    claims.repository_id = it->dump();
  }

  if (!claims.expires_at) return claims_problem("token has no expiration time (\"exp\")");
  return std::nullopt;
}

std::optional<ClaimsProblem> check_claims(const JwtClaims& claims, std::string_view audience,
                                          Int leeway, Int now) {
  if (audience.empty()) return ClaimsProblem{JwtFailure::kAudience, "no audience is configured"};
  if (claims.audience.empty()) {
    return ClaimsProblem{JwtFailure::kAudience, "token has no audience (\"aud\")"};
  }
  if (std::find(claims.audience.begin(), claims.audience.end(), audience) ==
      claims.audience.end()) {
    return ClaimsProblem{JwtFailure::kAudience,
                         "token audience does not include " + quote_untrusted(audience)};
  }
  if (!claims.expires_at) return claims_problem("token has no expiration time (\"exp\")");
  if (now >= expiry_with_leeway(*claims.expires_at, leeway)) {
    return ClaimsProblem{JwtFailure::kExpired,
                         "token expired at " + iso8601_utc(*claims.expires_at)};
  }
  Int latest = saturating_add(now, leeway);
  if (claims.not_before && *claims.not_before > latest) {
    return ClaimsProblem{JwtFailure::kNotYetValid,
                         "token not valid before " + iso8601_utc(*claims.not_before)};
  }
  if (claims.issued_at && *claims.issued_at > latest) {
    return ClaimsProblem{JwtFailure::kNotYetValid,
                         "token issued in the future (at " + iso8601_utc(*claims.issued_at) + ")"};
  }
  return std::nullopt;
}

Int expiry_with_leeway(Int exp, Int leeway) {
  return saturating_add(exp, leeway);
}

std::string iso8601_utc(Int seconds) {
  // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
  constexpr Int kFirst = -62135596800, kLast = 253402300799;
  if (seconds < kFirst || seconds > kLast) {
    return std::to_string(seconds) + " seconds since the epoch";
  }
  Int days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  Int second_of_day = seconds - days * 86400;
  // Howard Hinnant's civil_from_days: proleptic Gregorian date from days since 1970-01-01.
  Int z = days + 719468;
  Int era = (z >= 0 ? z : z - 146096) / 146097;
  Int day_of_era = z - era * 146097;
  Int year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  Int day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  Int mp = (5 * day_of_year + 2) / 153;
  Int day = day_of_year - (153 * mp + 2) / 5 + 1;
  Int month = mp < 10 ? mp + 3 : mp - 9;
  Int year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  char text[96];  // ample for the compiler's worst case of each field
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(second_of_day / 3600),
                static_cast<long long>(second_of_day / 60 % 60),
                static_cast<long long>(second_of_day % 60));
  return text;
}

}  // namespace crossgate::identity
