// From an Envoy CheckRequest to a decision request: facts from headers and context
// extensions, identity evidence by kind and by who the caller is, the resource from the
// path, the body or a header, and the refusals (INVALID_REQUEST) with what they name.
#include "server/ext_authz/request_mapping.h"

#include <catch2/catch_test_macros.hpp>
#include <map>

namespace crossgate::server::ext_authz {
namespace {

namespace auth = envoy::service::auth::v3;

constexpr std::string_view kHaiku = "anthropic.claude-3-haiku-20240307-v1:0";
// A well-formed compact JWS shape (never verified here).
constexpr std::string_view kToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

auth::CheckRequest check(
    std::string_view path = "/model/anthropic.claude-3-haiku-20240307-v1:0/converse",
    std::string_view host = "bedrock-runtime.us-east-1.amazonaws.com",
    std::string_view method = "POST") {
  auth::CheckRequest c;
  auth::AttributeContext::HttpRequest* http =
      c.mutable_attributes()->mutable_request()->mutable_http();
  http->set_method(std::string(method));
  http->set_path(std::string(path));
  http->set_host(std::string(host));
  http->set_id("envoy-stream-1");
  return c;
}

void header(auth::CheckRequest& c, std::string_view name, std::string_view value) {
  (*c.mutable_attributes()->mutable_request()->mutable_http()->mutable_headers())[std::string(
      name)] = std::string(value);
}

void extension(auth::CheckRequest& c, std::string_view name, std::string_view value) {
  (*c.mutable_attributes()->mutable_context_extensions())[std::string(name)] = std::string(value);
}

MappedCheck must_map(const auth::CheckRequest& c, const decision::Caller& caller = {},
                     const ExtAuthzConfig& config = {}) {
  cedar::Result<MappedCheck> m = map_check_request(c, caller, config);
  INFO((m.ok() ? "" : m.message()));
  REQUIRE(m.ok());
  return *m;
}

std::string refusal(const auth::CheckRequest& c, const decision::Caller& caller = {},
                    const ExtAuthzConfig& config = {}) {
  cedar::Result<MappedCheck> m = map_check_request(c, caller, config);
  REQUIRE_FALSE(m.ok());
  return m.message();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

decision::Caller trusted() {
  return {"spiffe://example.org/gateway/bedrock-proxy", true};
}

TEST_CASE("facts come from the configured headers, the region from the host",
          "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  header(c, "x-request-id", "req-7");
  header(c, "x-crossgate-source-account", "111122223333");
  header(c, "x-crossgate-source-region", "us-east-1");
  header(c, "x-crossgate-target-account", "444455556666");
  header(c, "x-crossgate-data-classification", "internal");
  header(c, "x-crossgate-emergency-grant", "eg-1");
  MappedCheck m = must_map(c);
  const decision::RequestFacts& f = m.request.facts;
  CHECK(f.request_id == "req-7");
  CHECK(f.action == "Converse");
  CHECK(f.resource == kHaiku);
  CHECK(f.source_account == "111122223333");
  CHECK(f.source_region == "us-east-1");
  CHECK(f.target_account == "444455556666");
  CHECK(f.target_region == "us-east-1");
  CHECK(f.data_classification == "internal");
  CHECK(f.emergency_grant_id == "eg-1");
  CHECK(m.request.evidence == decision::EvidenceType::kNone);
}

TEST_CASE("context extensions win over headers; Envoy's request id is the fallback",
          "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  header(c, "x-crossgate-target-account", "999999999999");
  extension(c, "target_account", "444455556666");
  extension(c, "data_classification", "restricted");
  MappedCheck m = must_map(c);
  CHECK(m.request.facts.target_account == "444455556666");
  CHECK(m.request.facts.data_classification == "restricted");
  CHECK(m.request.facts.request_id == "envoy-stream-1");
}

TEST_CASE("configured header names are used, and an empty name turns a source off",
          "[ext_authz][mapping]") {
  ExtAuthzConfig config;
  config.facts.source_account = "x-acme-account";
  config.facts.target_account = "";
  auth::CheckRequest c = check();
  header(c, "x-acme-account", "111122223333");
  header(c, "x-crossgate-source-account", "000000000000");
  header(c, "x-crossgate-target-account", "444455556666");
  MappedCheck m = must_map(c, {}, config);
  CHECK(m.request.facts.source_account == "111122223333");
  CHECK(m.request.facts.target_account.empty());
}

TEST_CASE("headers sent as header_map (raw values) are read too", "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  auto* h = c.mutable_attributes()
                ->mutable_request()
                ->mutable_http()
                ->mutable_header_map()
                ->add_headers();
  h->set_key("X-Crossgate-Target-Account");
  h->set_raw_value("444455556666");
  CHECK(must_map(c).request.facts.target_account == "444455556666");
}

TEST_CASE("pseudo-headers stand in for the method, path and host", "[ext_authz][mapping]") {
  auth::CheckRequest c = check("", "", "");
  header(c, ":method", "POST");
  header(c, ":path", "/model/amazon.nova-pro-v1%3A0/invoke");
  header(c, ":authority", "bedrock-runtime.eu-central-1.amazonaws.com");
  MappedCheck m = must_map(c);
  CHECK(m.request.facts.action == "InvokeModel");
  CHECK(m.request.facts.resource == "amazon.nova-pro-v1:0");
  CHECK(m.request.facts.target_region == "eu-central-1");
}

TEST_CASE("a token in the configured header is the evidence", "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  header(c, "authorization", "Bearer " + std::string(kToken));
  MappedCheck m = must_map(c, trusted());
  CHECK(m.request.evidence == decision::EvidenceType::kJwtSvid);
  CHECK(m.request.token == kToken);
  CHECK(m.evidence_headers == std::vector<std::string>{"authorization"});

  auth::CheckRequest o = check();
  header(o, "x-crossgate-oidc", std::string(kToken));  // a bare token counts too
  MappedCheck mo = must_map(o);
  CHECK(mo.request.evidence == decision::EvidenceType::kOidc);
  CHECK(mo.request.token == kToken);

  // An SDK's SigV4 Authorization header is not identity evidence.
  auth::CheckRequest s = check();
  header(s, "authorization",
         "AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1/bedrock/aws4_request, Signature=abc");
  MappedCheck ms = must_map(s);
  CHECK(ms.request.evidence == decision::EvidenceType::kNone);
  CHECK(ms.evidence_headers.empty());

  auth::CheckRequest both = check();
  header(both, "authorization", "Bearer " + std::string(kToken));
  header(both, "x-crossgate-oidc", "Bearer " + std::string(kToken));
  CHECK(contains(refusal(both), "send one kind of identity evidence"));

  auth::CheckRequest huge = check();
  header(huge, "authorization", "Bearer " + std::string(20000, 'a'));
  CHECK(contains(refusal(huge), "longer than 16384 bytes"));
}

TEST_CASE("an asserted AWS session is read only from a trusted asserter", "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  header(c, "x-crossgate-aws-role-arn", "arn:aws:iam::111122223333:role/claims-assistant");
  header(c, "x-crossgate-aws-source-identity", "claims-assistant-prod");
  header(c, "x-crossgate-aws-session-name", "gw");
  header(c, "x-crossgate-aws-issued-at", "2026-01-01T00:00:00Z");
  header(c, "x-crossgate-aws-expires-at", "1767229200");
  header(c, "x-crossgate-aws-session-tags", R"({"team": "claims", "cost-center": "cc-42"})");
  MappedCheck m = must_map(c, trusted());
  REQUIRE(m.request.evidence == decision::EvidenceType::kAwsSession);
  CHECK(m.request.aws_session.role_arn == "arn:aws:iam::111122223333:role/claims-assistant");
  CHECK(m.request.aws_session.source_identity == "claims-assistant-prod");
  CHECK(m.request.aws_session.session_name == "gw");
  CHECK(m.request.aws_session.issued_at == 1767225600000);
  CHECK(m.request.aws_session.expires_at == 1767229200000);
  CHECK(m.request.aws_session.tags ==
        std::map<std::string, std::string>{{"cost-center", "cc-42"}, {"team", "claims"}});
  CHECK(m.evidence_headers.size() == 6);

  // Without the role the headers are not evidence, and they are still stripped.
  MappedCheck untrusted = must_map(c, {"spiffe://example.org/other", false});
  CHECK(untrusted.request.evidence == decision::EvidenceType::kNone);
  CHECK(untrusted.request.aws_session.tags.empty());
  CHECK(untrusted.evidence_headers.size() == 6);

  header(c, "x-crossgate-aws-expires-at", "tomorrow");
  CHECK(contains(refusal(c, trusted()), "header x-crossgate-aws-expires-at: not an RFC 3339 time"));
}

TEST_CASE("asserted session tags must be a bounded JSON object of strings",
          "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  header(c, "x-crossgate-aws-role-arn", "arn:aws:iam::111122223333:role/claims-assistant");
  auto refused_with = [&](const std::string& tags) {
    header(c, "x-crossgate-aws-session-tags", tags);
    return refusal(c, trusted());
  };
  CHECK(contains(refused_with("team=claims"),
                 "header x-crossgate-aws-session-tags: not a JSON object of strings"));
  CHECK(contains(refused_with(R"(["team"])"), "not a JSON object of strings"));
  CHECK(contains(refused_with(R"({"team": 7})"), "a tag's value is not a string"));
  CHECK(contains(refused_with(R"({"": "x"})"), "a tag's key is empty"));
  CHECK(contains(refused_with(R"({"team": ")" + std::string(2049, 'x') + R"("})"),
                 "longer than 2048 bytes"));
  std::string many = R"({"t0": "v")";
  for (int i = 1; i <= 64; ++i)
    many += R"(, "t)" + std::to_string(i) + R"(": "v")";
  CHECK(contains(refused_with(many + "}"), "more than 64 tags"));
  header(c, "x-crossgate-aws-session-tags", "{}");
  CHECK(must_map(c, trusted()).request.aws_session.tags.empty());
}

TEST_CASE("the peer's X.509-SVID is the evidence when nothing else is", "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  c.mutable_attributes()->mutable_source()->set_principal(
      "spiffe://example.org/ns/claims/sa/assistant");
  MappedCheck m = must_map(c, trusted());
  CHECK(m.request.evidence == decision::EvidenceType::kX509Svid);
  CHECK(m.request.asserted_spiffe_id == "spiffe://example.org/ns/claims/sa/assistant");

  ExtAuthzConfig off;
  off.peer_principal = false;
  CHECK(must_map(c, trusted(), off).request.evidence == decision::EvidenceType::kNone);

  // A principal that is not a SPIFFE ID (a certificate subject) is not evidence.
  c.mutable_attributes()->mutable_source()->set_principal("CN=client");
  CHECK(must_map(c, trusted()).request.evidence == decision::EvidenceType::kNone);

  // A token wins over the peer's certificate.
  c.mutable_attributes()->mutable_source()->set_principal(
      "spiffe://example.org/ns/claims/sa/assistant");
  header(c, "authorization", "Bearer " + std::string(kToken));
  CHECK(must_map(c, trusted()).request.evidence == decision::EvidenceType::kJwtSvid);
}

TEST_CASE("resources named by id become ARNs in the target account", "[ext_authz][mapping]") {
  auth::CheckRequest g = check("/guardrail/abc123xyz/version/3/apply");
  header(g, "x-crossgate-target-account", "444455556666");
  CHECK(must_map(g).request.facts.resource ==
        "arn:aws:bedrock:us-east-1:444455556666:guardrail/abc123xyz");
  auth::CheckRequest no_account = check("/guardrail/abc123xyz/version/3/apply");
  CHECK(contains(refusal(no_account), "target account is needed"));

  auth::CheckRequest a = check("/agents/AGENT12345/agentAliases/ALIAS12345/sessions/s1/text",
                               "bedrock-agent-runtime.us-east-1.amazonaws.com");
  header(a, "x-crossgate-target-account", "444455556666");
  MappedCheck ma = must_map(a);
  CHECK(ma.request.facts.action == "InvokeAgent");
  CHECK(ma.request.facts.resource ==
        "arn:aws:bedrock:us-east-1:444455556666:agent-alias/AGENT12345/ALIAS12345");

  auth::CheckRequest k =
      check("/knowledgebases/KB12345678/retrieve", "bedrock-agent-runtime.us-east-1.amazonaws.com");
  header(k, "x-crossgate-target-account", "444455556666");
  CHECK(must_map(k).request.facts.resource ==
        "arn:aws:bedrock:us-east-1:444455556666:knowledge-base/KB12345678");
}

TEST_CASE("a resource the path does not carry comes from the body or a header",
          "[ext_authz][mapping]") {
  auth::CheckRequest async = check("/async-invoke");
  CHECK(contains(refusal(async), "StartAsyncInvoke names its resource in the request body"));
  CHECK(contains(refusal(async), "header x-crossgate-resource"));

  header(async, "x-crossgate-resource", "amazon.nova-reel-v1:0");
  CHECK(must_map(async).request.facts.resource == "amazon.nova-reel-v1:0");

  // The body, when Envoy sends it, is what Bedrock will act on: it wins.
  async.mutable_attributes()->mutable_request()->mutable_http()->set_body(
      R"({"modelId":"amazon.nova-pro-v1:0","modelInput":{}})");
  CHECK(must_map(async).request.facts.resource == "amazon.nova-pro-v1:0");

  auth::CheckRequest rag =
      check("/retrieveAndGenerate", "bedrock-agent-runtime.us-east-1.amazonaws.com");
  header(rag, "x-crossgate-target-account", "444455556666");
  rag.mutable_attributes()->mutable_request()->mutable_http()->set_body(
      R"({"input":{"text":"q"},"retrieveAndGenerateConfiguration":{"type":"KNOWLEDGE_BASE",)"
      R"("knowledgeBaseConfiguration":{"knowledgeBaseId":"KB12345678","modelArn":"m"}}})");
  CHECK(must_map(rag).request.facts.resource ==
        "arn:aws:bedrock:us-east-1:444455556666:knowledge-base/KB12345678");
  // An inline agent orchestrates with the model its body names.
  auth::CheckRequest inline_agent =
      check("/agents/session-1", "bedrock-agent-runtime.us-east-1.amazonaws.com");
  CHECK(
      contains(refusal(inline_agent), "InvokeInlineAgent names its resource in the request body"));
  inline_agent.mutable_attributes()->mutable_request()->mutable_http()->set_body(
      R"({"foundationModel":"us.anthropic.claude-3-5-sonnet-20240620-v1:0","instruction":"i"})");
  MappedCheck mapped_inline = must_map(inline_agent);
  CHECK(mapped_inline.request.facts.action == "InvokeInlineAgent");
  CHECK(mapped_inline.request.facts.resource == "us.anthropic.claude-3-5-sonnet-20240620-v1:0");
  inline_agent.mutable_attributes()->mutable_request()->mutable_http()->set_body(
      R"({"foundationModel":"arn:aws:bedrock:us-east-1:444455556666:knowledge-base/KB12345678"})");
  CHECK(contains(refusal(inline_agent), "InvokeInlineAgent cannot name a knowledge-base"));

  // A body that is not JSON (or was cut short) is no help.
  rag.mutable_attributes()->mutable_request()->mutable_http()->set_body("{\"input\":");
  CHECK(contains(refusal(rag), "RetrieveAndGenerate names its resource in the request body"));
}

TEST_CASE("unknown hosts, mismatched endpoints and bad resources are refused",
          "[ext_authz][mapping]") {
  CHECK(contains(refusal(check("/model/m.x/converse", "gateway.internal")),
                 "host `gateway.internal` is not a Bedrock runtime"));
  // A gateway with its own name: the route says which region it serves.
  auth::CheckRequest named =
      check("/model/anthropic.claude-3-haiku-20240307-v1:0/converse", "gateway.internal");
  extension(named, "target_region", "eu-central-1");
  CHECK(must_map(named).request.facts.target_region == "eu-central-1");
  extension(named, "target_region", "moon-1");
  CHECK(contains(refusal(named), "`moon-1` is not an AWS region"));

  auth::CheckRequest contradict = check();
  header(contradict, "x-crossgate-target-region", "eu-central-1");
  CHECK(contains(refusal(contradict), "contradicts host"));

  CHECK(contains(
      refusal(check("/knowledgebases/KB1/retrieve")),
      "Retrieve is served by bedrock-agent-runtime, not by host bedrock-runtime.us-east-1"));
  CHECK(
      contains(refusal(check("/model/m/converse", "bedrock-agent-runtime.us-east-1.amazonaws.com")),
               "Converse is served by bedrock-runtime"));
  CHECK(contains(refusal(check("/model/"
                               "arn%3Aaws%3Abedrock%3Aus-east-1%3A444455556666%3Aagent-alias%"
                               "2FAGENT12345%2FALIAS12345/converse")),
                 "Converse cannot name a agent-alias"));
  CHECK(contains(refusal(check("/model/arn%3Aaws%3As3%3A%3A%3Abucket/invoke")),
                 "resource `arn:aws:s3:::bucket`"));
  CHECK(contains(refusal(check("/unknown")), "is not a Bedrock operation"));
  CHECK(contains(
      refusal(check("/model/m/converse", "bedrock-runtime.us-east-1.amazonaws.com", "GET")),
      "takes POST"));

  auth::CheckRequest no_http;
  CHECK(contains(refusal(no_http), "no HTTP request"));

  auth::CheckRequest long_fact = check();
  header(long_fact, "x-crossgate-source-account", std::string(3000, '1'));
  CHECK(
      contains(refusal(long_fact), "header x-crossgate-source-account is longer than 2048 bytes"));
}

TEST_CASE("a refusal never quotes a token", "[ext_authz][mapping]") {
  auth::CheckRequest c = check();
  header(c, "authorization", "Bearer " + std::string(kToken));
  header(c, "x-crossgate-oidc", std::string(kToken));
  std::string message = refusal(c);
  CHECK(contains(message, "both authorization and x-crossgate-oidc hold a token"));
  CHECK_FALSE(contains(message, "eyJ"));
}

}  // namespace
}  // namespace crossgate::server::ext_authz
