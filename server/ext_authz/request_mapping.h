// From an Envoy ext_authz CheckRequest to crossgate's decision request: the route from the
// method, path and host (bedrock_route.h), the identity evidence and the boundary facts
// from the headers and context extensions the configuration names (ext_authz_config.h).
// Pure: no engine, no I/O, so each mapping rule can be tested alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "envoy/service/auth/v3/external_auth.pb.h"
#include "policy/cedar/common/result.h"
#include "policy/decision/decision_input.h"
#include "server/ext_authz/bedrock_route.h"
#include "server/ext_authz/ext_authz_config.h"

namespace crossgate::server::ext_authz {

// The reason code of a Check denied because the HTTP request is not one crossgate can
// decide (unknown path or host, wrong method, malformed resource or header). Such a request
// is refused before any decision: it has no decision id and no record.
inline constexpr std::string_view kInvalidRequest = "INVALID_REQUEST";

struct MappedCheck {
  decision::DecisionRequest request;
  BedrockRoute route;
  // Headers that carried identity evidence, present in this request: removed before the
  // request goes upstream when the configuration says so (tokens never reach Bedrock).
  std::vector<std::string> evidence_headers;
};

// `caller` is the authenticated gateway: AWS session headers are read only when it is a
// trusted asserter. An error (for INVALID_REQUEST) names what is wrong, never a token.
cedar::Result<MappedCheck> map_check_request(const envoy::service::auth::v3::CheckRequest& check,
                                             const decision::Caller& caller,
                                             const ExtAuthzConfig& config);

}  // namespace crossgate::server::ext_authz
