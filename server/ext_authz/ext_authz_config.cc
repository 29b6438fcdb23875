#include "server/ext_authz/ext_authz_config.h"

#include <algorithm>

namespace crossgate::server {
namespace {

// An HTTP field name (RFC 9110 token), lower-case as Envoy passes it; pseudo-headers
// (":authority") are read by crossgate itself and cannot be configured.
bool is_header_name(std::string_view name) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string_view::npos;
  });
}

void header(yaml::MapReader& r, const char* key, std::string& out) {
  if (!r.has(key)) return;
  std::string name = r.optional_string(key);
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (r.ok() && !is_header_name(name)) {
    r.fail("`" + name + "` is not an HTTP header name", key);
    return;
  }
  out = std::move(name);
}

}  // namespace

void read_ext_authz_config(yaml::MapReader& r, ExtAuthzConfig& out) {
  r.allow_only({"enabled", "jwt_svid_header", "oidc_header", "peer_principal",
                "strip_evidence_headers", "aws_session_headers", "fact_headers"});
  out.enabled = r.optional_bool("enabled", out.enabled);
  header(r, "jwt_svid_header", out.jwt_svid_header);
  header(r, "oidc_header", out.oidc_header);
  if (r.ok() && !out.jwt_svid_header.empty() && out.jwt_svid_header == out.oidc_header) {
    r.fail("must differ from jwt_svid_header: a token's kind is told by its header", "oidc_header");
  }
  out.peer_principal = r.optional_bool("peer_principal", out.peer_principal);
  out.strip_evidence_headers =
      r.optional_bool("strip_evidence_headers", out.strip_evidence_headers);
  r.child("aws_session_headers", false, [&](yaml::MapReader& a) {
    a.allow_only(
        {"role_arn", "source_identity", "session_name", "issued_at", "expires_at", "session_tags"});
    ExtAuthzConfig::AwsSessionHeaders& h = out.aws_session;
    header(a, "role_arn", h.role_arn);
    header(a, "source_identity", h.source_identity);
    header(a, "session_name", h.session_name);
    header(a, "issued_at", h.issued_at);
    header(a, "expires_at", h.expires_at);
    header(a, "session_tags", h.session_tags);
  });
  r.child("fact_headers", false, [&](yaml::MapReader& f) {
    f.allow_only({"request_id", "source_account", "source_region", "target_account",
                  "target_region", "data_classification", "emergency_grant_id", "resource"});
    ExtAuthzConfig::FactHeaders& h = out.facts;
    header(f, "request_id", h.request_id);
    header(f, "source_account", h.source_account);
    header(f, "source_region", h.source_region);
    header(f, "target_account", h.target_account);
    header(f, "target_region", h.target_region);
    header(f, "data_classification", h.data_classification);
    header(f, "emergency_grant_id", h.emergency_grant_id);
    header(f, "resource", h.resource);
  });
}

}  // namespace crossgate::server
