// The `ext_authz:` section of the daemon's configuration: defaults, overrides, and errors
// that name the file, line and key.
#include <catch2/catch_test_macros.hpp>

#include "server/config/server_config.h"

namespace crossgate::server {
namespace {

const char* const kBase = R"(listen: {address: 127.0.0.1:0, plaintext: true}
policy_bundle: {path: b/}
owner_registry: {path: r/}
allow_unsigned_bundles: true
decision_log: {path: d.log}
)";

cedar::Result<ServerConfig> parse(const std::string& extra) {
  return parse_server_config(std::string(kBase) + extra, "/etc/crossgate/crossgate.yaml");
}

TEST_CASE("ext_authz defaults", "[ext_authz][config]") {
  cedar::Result<ServerConfig> c = parse("");
  REQUIRE(c.ok());
  const ExtAuthzConfig& e = c->ext_authz;
  CHECK(e.enabled);
  CHECK(e.jwt_svid_header == "authorization");
  CHECK(e.oidc_header == "x-crossgate-oidc");
  CHECK(e.peer_principal);
  CHECK(e.strip_evidence_headers);
  CHECK(e.facts.request_id == "x-request-id");
  CHECK(e.facts.target_account == "x-crossgate-target-account");
  CHECK(e.aws_session.role_arn == "x-crossgate-aws-role-arn");
}

TEST_CASE("ext_authz settings are read, header names lower-cased", "[ext_authz][config]") {
  cedar::Result<ServerConfig> c = parse(R"(ext_authz:
  enabled: false
  jwt_svid_header: X-Workload-JWT
  oidc_header: ""
  peer_principal: false
  aws_session_headers: {role_arn: x-role, session_tags: X-Session-Tags}
  fact_headers: {target_account: x-target, resource: x-model}
)");
  INFO((c.ok() ? "" : c.message()));
  REQUIRE(c.ok());
  const ExtAuthzConfig& e = c->ext_authz;
  CHECK_FALSE(e.enabled);
  CHECK(e.jwt_svid_header == "x-workload-jwt");
  CHECK(e.oidc_header.empty());
  CHECK_FALSE(e.peer_principal);
  CHECK(e.aws_session.role_arn == "x-role");
  CHECK(e.aws_session.session_name == "x-crossgate-aws-session-name");
  CHECK(e.aws_session.session_tags == "x-session-tags");
  CHECK(e.facts.target_account == "x-target");
  CHECK(e.facts.resource == "x-model");
  CHECK(e.facts.request_id == "x-request-id");
}

TEST_CASE("ext_authz errors name the file, line and key", "[ext_authz][config]") {
  auto error = [](const std::string& extra) {
    cedar::Result<ServerConfig> c = parse(extra);
    REQUIRE_FALSE(c.ok());
    return c.message();
  };
  auto has = [](const std::string& text, std::string_view part) {
    INFO(text);
    CHECK(text.find(part) != std::string::npos);
  };
  std::string unknown = error("ext_authz: {jwt_header: x}\n");
  has(unknown, "/etc/crossgate/crossgate.yaml:6");
  has(unknown, "jwt_header");
  has(error("ext_authz: {jwt_svid_header: \"bad header\"}\n"),
      "ext_authz.jwt_svid_header: `bad header` is not an HTTP header name");
  has(error("ext_authz: {fact_headers: {target_account: \":authority\"}}\n"),
      "ext_authz.fact_headers.target_account: `:authority` is not an HTTP header name");
  has(error("ext_authz: {jwt_svid_header: a, oidc_header: A}\n"),
      "ext_authz.oidc_header: must differ");
  has(error("ext_authz: {fact_headers: {tenant: x}}\n"), "tenant");
  has(error("ext_authz: {enabled: maybe}\n"), "ext_authz.enabled");
}

}  // namespace
}  // namespace crossgate::server
