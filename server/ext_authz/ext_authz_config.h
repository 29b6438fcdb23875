// The `ext_authz:` section of the daemon's configuration: where, in the HTTP request Envoy
// describes, crossgate finds the workload identity evidence and the boundary facts that
// the path and host do not give. Header names are compared lower-case (Envoy lower-cases
// them); an empty name turns that source off. The route's context_extensions (set in
// Envoy's configuration, so not under the client's control) win over headers for the
// facts; see docs/ext_authz.md.
//
//   ext_authz:
//     enabled: true                      # serve envoy.service.auth.v3.Authorization/Check
//     jwt_svid_header: authorization     # "Bearer <JWT-SVID>" or the bare token
//     oidc_header: x-crossgate-oidc      # "Bearer <OIDC token>" or the bare token
//     peer_principal: true               # attributes.source.principal as the X.509-SVID
//                                        # (believed only from a trusted asserter)
//     strip_evidence_headers: true       # remove the evidence headers before upstream
//     aws_session_headers:               # read only from callers with assert_aws_session
//       role_arn: x-crossgate-aws-role-arn
//       source_identity: x-crossgate-aws-source-identity
//       session_name: x-crossgate-aws-session-name
//       issued_at: x-crossgate-aws-issued-at    # RFC 3339 or Unix seconds
//       expires_at: x-crossgate-aws-expires-at
//       session_tags: x-crossgate-aws-session-tags  # a JSON object of strings, recorded
//     fact_headers:
//       request_id: x-request-id
//       source_account: x-crossgate-source-account
//       source_region: x-crossgate-source-region
//       target_account: x-crossgate-target-account
//       target_region: x-crossgate-target-region   # only when the host is not Bedrock's
//       data_classification: x-crossgate-data-classification
//       emergency_grant_id: x-crossgate-emergency-grant
//       resource: x-crossgate-resource   # paths without the resource (async-invoke, ...)
#pragma once

#include <string>

#include "policy/common/yaml_reader.h"

namespace crossgate::server {

struct ExtAuthzConfig {
  bool enabled = true;
  std::string jwt_svid_header = "authorization";
  std::string oidc_header = "x-crossgate-oidc";
  bool peer_principal = true;
  bool strip_evidence_headers = true;

  struct AwsSessionHeaders {
    std::string role_arn = "x-crossgate-aws-role-arn";
    std::string source_identity = "x-crossgate-aws-source-identity";
    std::string session_name = "x-crossgate-aws-session-name";
    std::string issued_at = "x-crossgate-aws-issued-at";
    std::string expires_at = "x-crossgate-aws-expires-at";
    std::string session_tags = "x-crossgate-aws-session-tags";
  } aws_session;

  struct FactHeaders {
    std::string request_id = "x-request-id";
    std::string source_account = "x-crossgate-source-account";
    std::string source_region = "x-crossgate-source-region";
    std::string target_account = "x-crossgate-target-account";
    std::string target_region = "x-crossgate-target-region";
    std::string data_classification = "x-crossgate-data-classification";
    std::string emergency_grant_id = "x-crossgate-emergency-grant";
    std::string resource = "x-crossgate-resource";
  } facts;
};

// Reads the `ext_authz` mapping into `out` (which holds the defaults); problems are
// recorded in `r`, naming the key.
void read_ext_authz_config(yaml::MapReader& r, ExtAuthzConfig& out);

}  // namespace crossgate::server
