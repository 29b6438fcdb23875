// From a decision to Envoy's CheckResponse. ALLOW: status OK and, for the upstream, the
// decision id and the obligations as x-crossgate-* request headers (the gateway assumes
// the role with them). DENY: status PERMISSION_DENIED and a 403 for the client with the
// decision id and reason codes in headers and a JSON body. docs/ext_authz.md lists them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "envoy/service/auth/v3/external_auth.pb.h"
#include "policy/decision/decision_engine.h"

namespace crossgate::server::ext_authz {

inline constexpr std::string_view kDecisionIdHeader = "x-crossgate-decision-id";
inline constexpr std::string_view kReasonsHeader = "x-crossgate-reasons";
inline constexpr std::string_view kWorkloadHeader = "x-crossgate-workload";
inline constexpr std::string_view kRoleArnHeader = "x-crossgate-role-arn";
inline constexpr std::string_view kRoleSessionNameHeader = "x-crossgate-role-session-name";
inline constexpr std::string_view kSourceIdentityHeader = "x-crossgate-source-identity";
inline constexpr std::string_view kSessionTagsHeader = "x-crossgate-session-tags";
inline constexpr std::string_view kDurationHeader = "x-crossgate-duration-seconds";
inline constexpr std::string_view kEmergencyHeader = "x-crossgate-emergency";

// The ALLOW answer for `decision` (which must allow). Every x-crossgate-* header above that
// this answer does not set, and `strip` (the evidence headers), are removed from the
// request, so that nothing a client sent under those names reaches the upstream.
void allow_response(const decision::Decision& decision, const std::vector<std::string>& strip,
                    envoy::service::auth::v3::CheckResponse& out);

// The DENY answer. `decision_id` is empty for a request refused before any decision (then
// `message` says why, in the body); `reasons` are the reason codes.
void deny_response(std::string_view decision_id, const std::vector<std::string>& reasons,
                   std::string_view message, envoy::service::auth::v3::CheckResponse& out);

}  // namespace crossgate::server::ext_authz
