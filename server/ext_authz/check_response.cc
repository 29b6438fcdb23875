#include "server/ext_authz/check_response.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace crossgate::server::ext_authz {
namespace {

namespace core = envoy::config::core::v3;
namespace auth = envoy::service::auth::v3;

constexpr int kGrpcOk = 0;
constexpr int kGrpcPermissionDenied = 7;

void set_header(google::protobuf::RepeatedPtrField<core::HeaderValueOption>& headers,
                std::string_view key, std::string_view value) {
  core::HeaderValueOption* option = headers.Add();
  option->mutable_header()->set_key(std::string(key));
  option->mutable_header()->set_value(std::string(value));
  // A value a client sent under the same name is replaced, never kept beside ours.
  option->set_append_action(core::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
}

std::string joined(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& r : reasons) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

}  // namespace

void allow_response(const decision::Decision& d, const std::vector<std::string>& strip,
                    auth::CheckResponse& out) {
  out.Clear();
  out.mutable_status()->set_code(kGrpcOk);
  auth::OkHttpResponse* ok = out.mutable_ok_response();
  std::vector<std::pair<std::string_view, std::string>> set = {
      {kDecisionIdHeader, d.decision_id},
      {kWorkloadHeader, d.workload_id},
  };
  if (d.obligations) {
    const decision::Obligations& o = *d.obligations;
    set.emplace_back(kRoleArnHeader, o.role_arn);
    set.emplace_back(kRoleSessionNameHeader, o.role_session_name);
    set.emplace_back(kSourceIdentityHeader, o.source_identity);
    nlohmann::json tags = nlohmann::json::object();
    for (const auto& [k, v] : o.session_tags)
      tags[k] = v;
    set.emplace_back(kSessionTagsHeader, tags.dump());
    set.emplace_back(kDurationHeader, std::to_string(o.duration_seconds));
  }
  if (d.emergency) set.emplace_back(kEmergencyHeader, "true");
  for (std::string_view name :
       {kDecisionIdHeader, kReasonsHeader, kWorkloadHeader, kRoleArnHeader, kRoleSessionNameHeader,
        kSourceIdentityHeader, kSessionTagsHeader, kDurationHeader, kEmergencyHeader}) {
    auto it = std::find_if(set.begin(), set.end(), [&](const auto& p) { return p.first == name; });
    if (it != set.end() && !it->second.empty()) {
      set_header(*ok->mutable_headers(), name, it->second);
    } else {
      ok->add_headers_to_remove(std::string(name));
    }
  }
  for (const std::string& name : strip)
    ok->add_headers_to_remove(name);
  // For Envoy's access log: the decision beside the request it allowed.
  auto& fields = *out.mutable_dynamic_metadata()->mutable_fields();
  fields["decision"].set_string_value("ALLOW");
  fields["decision_id"].set_string_value(d.decision_id);
  fields["workload"].set_string_value(d.workload_id);
}

void deny_response(std::string_view decision_id, const std::vector<std::string>& reasons,
                   std::string_view message, auth::CheckResponse& out) {
  out.Clear();
  out.mutable_status()->set_code(kGrpcPermissionDenied);
  out.mutable_status()->set_message("DENY: " + joined(reasons));
  auth::DeniedHttpResponse* denied = out.mutable_denied_response();
  denied->mutable_status()->set_code(envoy::type::v3::Forbidden);
  if (!decision_id.empty()) set_header(*denied->mutable_headers(), kDecisionIdHeader, decision_id);
  set_header(*denied->mutable_headers(), kReasonsHeader, joined(reasons));
  set_header(*denied->mutable_headers(), "content-type", "application/json");
  nlohmann::json body = {
      {"decision", "DENY"},
      {"decision_id", decision_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(decision_id)},
      {"reasons", reasons}};
  if (!message.empty()) body["message"] = message;
  // Invalid UTF-8 in a quoted path must not throw: replace it.
  denied->set_body(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  auto& fields = *out.mutable_dynamic_metadata()->mutable_fields();
  fields["decision"].set_string_value("DENY");
  fields["decision_id"].set_string_value(std::string(decision_id));
  fields["reasons"].set_string_value(joined(reasons));
}

}  // namespace crossgate::server::ext_authz
