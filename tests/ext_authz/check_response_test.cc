// The CheckResponse Envoy acts on: ALLOW lets the request through with the decision id and
// the obligations as upstream headers (and removes what a client could have forged under
// those names, and the evidence); DENY is a 403 with the reasons in headers and JSON.
#include "server/ext_authz/check_response.h"

#include <catch2/catch_test_macros.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace crossgate::server::ext_authz {
namespace {

namespace auth = envoy::service::auth::v3;
namespace core = envoy::config::core::v3;

std::map<std::string, std::string> headers_of(
    const google::protobuf::RepeatedPtrField<core::HeaderValueOption>& options) {
  std::map<std::string, std::string> out;
  for (const core::HeaderValueOption& o : options) {
    CHECK(o.append_action() == core::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
    CHECK(out.emplace(o.header().key(), o.header().value()).second);
  }
  return out;
}

decision::Decision allowed() {
  decision::Decision d;
  d.allow = true;
  d.decision_id = "01J0000000000000000000000A";
  d.workload_id = "claims-assistant-prod";
  decision::Obligations o;
  o.role_arn = "arn:aws:iam::444455556666:role/bedrock-invoker-claims";
  o.role_session_name = "cg-01J0000000000000000000000A";
  o.source_identity = "claims-assistant-prod";
  o.session_tags = {{"crossgate:decision", "01J0000000000000000000000A"},
                    {"crossgate:workload", "claims-assistant-prod"}};
  o.duration_seconds = 900;
  d.obligations = o;
  return d;
}

TEST_CASE("ALLOW: status OK, obligations as upstream headers", "[ext_authz][response]") {
  auth::CheckResponse r;
  allow_response(allowed(), {"authorization"}, r);
  CHECK(r.status().code() == 0);
  REQUIRE(r.has_ok_response());
  std::map<std::string, std::string> h = headers_of(r.ok_response().headers());
  CHECK(h.at("x-crossgate-decision-id") == "01J0000000000000000000000A");
  CHECK(h.at("x-crossgate-workload") == "claims-assistant-prod");
  CHECK(h.at("x-crossgate-role-arn") == "arn:aws:iam::444455556666:role/bedrock-invoker-claims");
  CHECK(h.at("x-crossgate-role-session-name") == "cg-01J0000000000000000000000A");
  CHECK(h.at("x-crossgate-source-identity") == "claims-assistant-prod");
  CHECK(h.at("x-crossgate-duration-seconds") == "900");
  CHECK(nlohmann::json::parse(h.at("x-crossgate-session-tags")) ==
        nlohmann::json{{"crossgate:decision", "01J0000000000000000000000A"},
                       {"crossgate:workload", "claims-assistant-prod"}});
  // Not set in this answer, so removed: a client cannot smuggle them upstream.
  std::set<std::string> removed(r.ok_response().headers_to_remove().begin(),
                                r.ok_response().headers_to_remove().end());
  CHECK(removed ==
        std::set<std::string>{"x-crossgate-reasons", "x-crossgate-emergency", "authorization"});
  CHECK(r.dynamic_metadata().fields().at("decision_id").string_value() ==
        "01J0000000000000000000000A");
}

TEST_CASE("ALLOW without a role (same account) removes the role header", "[ext_authz][response]") {
  decision::Decision d = allowed();
  d.obligations->role_arn.clear();
  d.emergency = true;
  auth::CheckResponse r;
  allow_response(d, {}, r);
  std::map<std::string, std::string> h = headers_of(r.ok_response().headers());
  CHECK(h.count("x-crossgate-role-arn") == 0);
  CHECK(h.at("x-crossgate-emergency") == "true");
  std::set<std::string> removed(r.ok_response().headers_to_remove().begin(),
                                r.ok_response().headers_to_remove().end());
  CHECK(removed.count("x-crossgate-role-arn") == 1);
  CHECK(removed.count("x-crossgate-emergency") == 0);
}

TEST_CASE("DENY: PERMISSION_DENIED, 403, reasons in headers and JSON", "[ext_authz][response]") {
  auth::CheckResponse r;
  deny_response("01J0000000000000000000000B", {"NO_EXPLICIT_TRUST", "POLICY_FORBID"}, {}, r);
  CHECK(r.status().code() == 7);
  REQUIRE(r.has_denied_response());
  CHECK(r.denied_response().status().code() == envoy::type::v3::Forbidden);
  std::map<std::string, std::string> h = headers_of(r.denied_response().headers());
  CHECK(h.at("x-crossgate-decision-id") == "01J0000000000000000000000B");
  CHECK(h.at("x-crossgate-reasons") == "NO_EXPLICIT_TRUST,POLICY_FORBID");
  CHECK(h.at("content-type") == "application/json");
  nlohmann::json body = nlohmann::json::parse(r.denied_response().body());
  CHECK(body == nlohmann::json{{"decision", "DENY"},
                               {"decision_id", "01J0000000000000000000000B"},
                               {"reasons", {"NO_EXPLICIT_TRUST", "POLICY_FORBID"}}});
}

TEST_CASE("DENY before any decision: no decision id, a message", "[ext_authz][response]") {
  auth::CheckResponse r;
  deny_response({}, {"INVALID_REQUEST"}, "path `/x\xff` is not a Bedrock operation", r);
  std::map<std::string, std::string> h = headers_of(r.denied_response().headers());
  CHECK(h.count("x-crossgate-decision-id") == 0);
  nlohmann::json body = nlohmann::json::parse(r.denied_response().body());
  CHECK(body["decision_id"].is_null());
  CHECK(body["reasons"] == nlohmann::json{"INVALID_REQUEST"});
  CHECK(body["message"].get<std::string>().find("is not a Bedrock operation") != std::string::npos);
}

}  // namespace
}  // namespace crossgate::server::ext_authz
