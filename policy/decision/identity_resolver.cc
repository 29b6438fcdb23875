#include "policy/decision/identity_resolver.h"

#include <algorithm>

namespace crossgate::decision {

std::string_view evidence_name(EvidenceType type) {
  switch (type) {
    case EvidenceType::kNone: return "none";
    case EvidenceType::kJwtSvid: return "jwt-svid";
    case EvidenceType::kOidc: return "oidc";
    case EvidenceType::kX509Svid: return "x509-svid";
    case EvidenceType::kAwsSession: return "aws-session";
  }
  return "none";
}

std::optional<EvidenceType> evidence_from_name(std::string_view name) {
  for (EvidenceType t : {EvidenceType::kNone, EvidenceType::kJwtSvid, EvidenceType::kOidc,
                         EvidenceType::kX509Svid, EvidenceType::kAwsSession}) {
    if (evidence_name(t) == name) return t;
  }
  return std::nullopt;
}

namespace {

VerifiedIdentity from_token(identity::JwtVerifier* verifier, const std::string& token,
                            EvidenceType type, UnixMillis now) {
  VerifiedIdentity id;
  id.type = type;
  if (verifier == nullptr) {
    id.failure = "no JWT key sets are configured";
    return id;
  }
  identity::JwtResult result = verifier->verify(
      token,
      type == EvidenceType::kJwtSvid ? identity::TokenKind::kJwtSvid : identity::TokenKind::kOidc,
      now / 1000);
  const identity::JwtClaims& c = result.claims;
  id.verified = result.verified;
  id.failure = result.error;
  if (result.failure == identity::JwtFailure::kExpired ||
      result.failure == identity::JwtFailure::kNotYetValid) {
    // Signed by a trusted key for this audience: the identity is proven, its time is not.
    id.verified = true;
    id.failure.clear();
    id.lifetime_failure = result.error;
  }
  id.token_sha256 = c.token_sha256;
  if (type == EvidenceType::kJwtSvid) {
    id.spiffe_id = c.subject;
  } else {
    id.issuer = c.issuer;
    id.subject = c.subject;
    id.repository_id = c.repository_id;
    id.environment = c.environment;
    id.workflow = c.job_workflow_ref;
  }
  auto millis = [](const std::optional<std::int64_t>& seconds) -> std::optional<UnixMillis> {
    if (!seconds) return std::nullopt;
    // Claims are read from unverified tokens too, and any int64 of seconds is a valid
    // NumericDate: bound them to 1970..9999 so that no time arithmetic after this overflows.
    constexpr std::int64_t kLastSecondOf9999 = 253402300799;
    return std::clamp<std::int64_t>(*seconds, 0, kLastSecondOf9999) * 1000;
  };
  id.issued_at = millis(c.issued_at);
  id.not_before = millis(c.not_before);
  id.expires_at = millis(c.expires_at);
  return id;
}

}  // namespace

VerifiedIdentity IdentityResolver::resolve(const DecisionRequest& request, const Caller& caller,
                                           UnixMillis now) const {
  switch (request.evidence) {
    case EvidenceType::kNone: {
      VerifiedIdentity id;
      id.failure = "no identity evidence";
      return id;
    }
    case EvidenceType::kJwtSvid:
    case EvidenceType::kOidc:
      return from_token(verifier_.get(), request.token, request.evidence, now);
    case EvidenceType::kX509Svid: {
      VerifiedIdentity id;
      id.type = EvidenceType::kX509Svid;
      if (!request.asserted_spiffe_id.empty()) {
        // The gateway verified its peer's certificate; only a trusted asserter is believed.
        id.spiffe_id = request.asserted_spiffe_id;
        id.verified = caller.trusted_asserter;
        if (!id.verified) {
          id.failure = caller.spiffe_id.empty()
                           ? "a peer's X.509-SVID is believed only from an authenticated "
                             "trusted asserter"
                           : "caller " + caller.spiffe_id +
                                 " is not a trusted asserter of its peers' X.509-SVIDs";
        }
        return id;
      }
      id.spiffe_id = caller.spiffe_id;
      // The TLS handshake verified the certificate chain; no certificate, no identity.
      id.verified = !caller.spiffe_id.empty();
      if (!id.verified)
        id.failure = "the caller presented no X.509-SVID (no mTLS client certificate)";
      return id;
    }
    case EvidenceType::kAwsSession: {
      VerifiedIdentity id;
      const AwsSession& s = request.aws_session;
      id.type = EvidenceType::kAwsSession;
      id.role_arn = s.role_arn;
      id.source_identity = s.source_identity;
      id.session_name = s.session_name;
      id.session_tags = s.tags;
      id.issued_at = s.issued_at;
      id.expires_at = s.expires_at;
      id.verified = caller.trusted_asserter;
      if (s.expires_at && *s.expires_at <= now) {
        id.lifetime_failure = "the AWS session expired at " + format_rfc3339(*s.expires_at);
      } else if (s.issued_at && *s.issued_at > now) {
        id.lifetime_failure =
            "the AWS session was issued in the future, at " + format_rfc3339(*s.issued_at);
      }
      if (!id.verified) {
        id.failure =
            caller.spiffe_id.empty()
                ? "an AWS session is believed only from an authenticated trusted asserter"
                : "caller " + caller.spiffe_id + " is not a trusted asserter of AWS sessions";
      }
      return id;
    }
  }
  return {};
}

}  // namespace crossgate::decision
