// What a decision is made from. A DecisionRequest is what a caller sent (evidence not yet
// verified); a DecisionInput is the same request after identity verification, with the
// raw token replaced by the verified facts. The input is what the decision record keeps,
// so that replay (deciding again with another bundle) needs no token and no key.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "policy/common/time.h"

namespace crossgate::decision {

enum class EvidenceType : std::uint8_t { kNone, kJwtSvid, kOidc, kX509Svid, kAwsSession };

// "none", "jwt-svid", "oidc", "x509-svid", "aws-session"
std::string_view evidence_name(EvidenceType type);
std::optional<EvidenceType> evidence_from_name(std::string_view name);

struct AwsSession {
  std::string role_arn;  // IAM role or STS assumed-role ARN
  std::string source_identity;
  std::string session_name;
  std::map<std::string, std::string> tags;
  std::optional<UnixMillis> issued_at;
  std::optional<UnixMillis> expires_at;
};

struct CallHop {
  std::string workload;  // workload id or SPIFFE ID
  std::string kind;      // "agent", "tool", ...
};

// The boundary facts common to a request and its verified input.
struct RequestFacts {
  std::string request_id;
  std::string action;    // Bedrock API or IAM action, as given
  std::string resource;  // model id, profile id or ARN, as given
  std::string source_account;
  std::string source_region;
  std::string target_account;
  std::string target_region;
  std::string data_classification;
  std::string emergency_grant_id;
  std::vector<CallHop> call_chain;
  nlohmann::json extra = nlohmann::json::object();  // extra context attributes
};

struct DecisionRequest {
  RequestFacts facts;
  EvidenceType evidence = EvidenceType::kNone;
  std::string token;  // JWT-SVID or OIDC token; never logged or recorded
  AwsSession aws_session;
  // X.509-SVID evidence of a workload other than the caller: the SPIFFE ID a gateway
  // reports for its own mTLS peer (Envoy's source.principal). Believed, like an AWS
  // session, only from a trusted asserter; empty means the caller's own certificate.
  std::string asserted_spiffe_id;
};

// The calling gateway, as the transport established it.
struct Caller {
  std::string spiffe_id;          // from the mTLS client certificate; empty without one
  bool trusted_asserter = false;  // configured as allowed to assert AWS sessions
};

// The result of checking the evidence: verified or not, and the facts it established.
struct VerifiedIdentity {
  EvidenceType type = EvidenceType::kNone;
  bool verified = false;
  std::string failure;  // why not verified (never contains the token)
  // Set when the evidence is genuine but was expired or not yet valid at the time of the
  // request (CREDENTIAL_LIFETIME rather than UNATTRIBUTED).
  std::string lifetime_failure;
  std::string spiffe_id;  // JWT-SVID subject or X.509-SVID URI SAN
  std::string issuer;     // OIDC
  std::string subject;
  std::string repository_id;  // GitHub Actions
  std::string environment;
  std::string workflow;
  std::string role_arn;  // AWS session
  std::string source_identity;
  std::string session_name;
  std::map<std::string, std::string> session_tags;
  std::optional<UnixMillis> issued_at;
  std::optional<UnixMillis> not_before;
  std::optional<UnixMillis> expires_at;
  std::string token_sha256;
};

struct DecisionInput {
  RequestFacts facts;
  UnixMillis time = 0;
  VerifiedIdentity identity;
  Caller caller;
};

}  // namespace crossgate::decision
