// The Bedrock HTTP route table: every path form crossgate maps for Envoy's ext_authz, the
// URL-decoding of model ids and ARNs, the hosts that give the region, and the refusals.
#include "server/ext_authz/bedrock_route.h"

#include <catch2/catch_test_macros.hpp>

namespace crossgate::server::ext_authz {
namespace {

BedrockRoute must_route(std::string_view method, std::string_view path) {
  cedar::Result<BedrockRoute> r = parse_bedrock_route(method, path);
  INFO(path);
  REQUIRE(r.ok());
  return *r;
}

std::string refusal(std::string_view method, std::string_view path) {
  cedar::Result<BedrockRoute> r = parse_bedrock_route(method, path);
  INFO(path);
  REQUIRE_FALSE(r.ok());
  return r.message();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("model paths give the API, the IAM action and the model", "[ext_authz][route]") {
  struct Case {
    std::string_view path, api, iam;
  };
  for (const Case& c : {
           Case{"/model/anthropic.claude-3-haiku-20240307-v1:0/invoke", "InvokeModel",
                "bedrock:InvokeModel"},
           Case{"/model/anthropic.claude-3-haiku-20240307-v1:0/invoke-with-response-stream",
                "InvokeModelWithResponseStream", "bedrock:InvokeModelWithResponseStream"},
           Case{"/model/anthropic.claude-3-haiku-20240307-v1:0/invoke-with-bidirectional-stream",
                "InvokeModelWithBidirectionalStream", "bedrock:InvokeModel"},
           Case{"/model/anthropic.claude-3-haiku-20240307-v1:0/converse", "Converse",
                "bedrock:InvokeModel"},
           Case{"/model/anthropic.claude-3-haiku-20240307-v1:0/converse-stream", "ConverseStream",
                "bedrock:InvokeModelWithResponseStream"},
           Case{"/model/anthropic.claude-3-haiku-20240307-v1:0/count-tokens", "CountTokens",
                "bedrock:CountTokens"},
       }) {
    BedrockRoute r = must_route("POST", c.path);
    CHECK(r.api == c.api);
    CHECK(r.iam_action == c.iam);
    CHECK(r.endpoint == Endpoint::kRuntime);
    CHECK(r.resource_type == ResourceType::kModel);
    CHECK(r.resource == "anthropic.claude-3-haiku-20240307-v1:0");
  }
}

TEST_CASE("model ids are URL-decoded after the path is split", "[ext_authz][route]") {
  // The SDKs encode ':' and '/' in ARNs; an encoded '/' stays inside the model segment.
  BedrockRoute r = must_route(
      "POST",
      "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A444455556666%3Ainference-profile%2Fus.anthropic."
      "claude-3-haiku-20240307-v1%3A0/converse");
  CHECK(r.resource ==
        "arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.anthropic.claude-3-haiku-"
        "20240307-v1:0");
  CHECK(must_route("POST", "/model/amazon.nova-pro-v1%3a0/invoke").resource ==
        "amazon.nova-pro-v1:0");
  // '+' is not a space in a path.
  CHECK(must_route("POST", "/model/a+b/invoke").resource == "a+b");
  // The query string and fragment are not part of the route.
  CHECK(must_route("POST", "/model/amazon.nova-pro-v1:0/converse?trace=1#x").api == "Converse");
}

TEST_CASE("malformed escapes and control characters are refused", "[ext_authz][route]") {
  CHECK(contains(refusal("POST", "/model/abc%2/invoke"), "malformed percent-escape"));
  CHECK(contains(refusal("POST", "/model/abc%zz/invoke"), "malformed percent-escape"));
  CHECK(contains(refusal("POST", "/model/abc%/invoke"), "malformed percent-escape"));
  CHECK(contains(refusal("POST", "/model/abc%0A/invoke"), "control character"));
  CHECK(contains(refusal("POST", "/model/abc%00/invoke"), "control character"));
  REQUIRE(percent_decode("%41%2f%3A").ok());
  CHECK(*percent_decode("%41%2f%3A") == "A/:");
}

TEST_CASE("async invocation, guardrails, agents and knowledge bases", "[ext_authz][route]") {
  BedrockRoute async = must_route("POST", "/async-invoke");
  CHECK(async.api == "StartAsyncInvoke");
  CHECK(async.iam_action == "bedrock:InvokeModel");
  CHECK(async.resource.empty());  // in the body

  BedrockRoute guard = must_route("POST", "/guardrail/gr-abc123/version/DRAFT/apply");
  CHECK(guard.api == "ApplyGuardrail");
  CHECK(guard.iam_action == "bedrock:ApplyGuardrail");
  CHECK(guard.resource_type == ResourceType::kGuardrail);
  CHECK(guard.resource == "gr-abc123");
  CHECK(guard.guardrail_version == "DRAFT");

  BedrockRoute agent =
      must_route("POST", "/agents/AGENT12345/agentAliases/ALIAS12345/sessions/s-1/text");
  CHECK(agent.endpoint == Endpoint::kAgentRuntime);
  CHECK(agent.api == "InvokeAgent");
  CHECK(agent.iam_action == "bedrock:InvokeAgent");
  CHECK(agent.resource_type == ResourceType::kAgentAlias);
  CHECK(agent.resource == "AGENT12345/ALIAS12345");

  BedrockRoute inline_agent = must_route("POST", "/agents/session-1");
  CHECK(inline_agent.endpoint == Endpoint::kAgentRuntime);
  CHECK(inline_agent.api == "InvokeInlineAgent");
  CHECK(inline_agent.iam_action == "bedrock:InvokeInlineAgent");
  CHECK(inline_agent.resource_type == ResourceType::kModel);
  CHECK(inline_agent.resource.empty());  // the body's foundationModel

  BedrockRoute kb = must_route("POST", "/knowledgebases/KB12345678/retrieve");
  CHECK(kb.endpoint == Endpoint::kAgentRuntime);
  CHECK(kb.api == "Retrieve");
  CHECK(kb.iam_action == "bedrock:Retrieve");
  CHECK(kb.resource == "KB12345678");
  CHECK(must_route("POST", "/retrieve").resource.empty());
  BedrockRoute rag = must_route("POST", "/retrieveAndGenerate");
  CHECK(rag.api == "RetrieveAndGenerate");
  CHECK(rag.iam_action == "bedrock:RetrieveAndGenerate");
  CHECK(rag.resource_type == ResourceType::kKnowledgeBase);
  CHECK(must_route("POST", "/retrieveAndGenerateStream").api == "RetrieveAndGenerateStream");
}

TEST_CASE("unknown paths and wrong methods are refused with the reason", "[ext_authz][route]") {
  CHECK(contains(refusal("POST", "/model/m/explode"), "not a Bedrock operation"));
  CHECK(contains(refusal("POST", "/"), "empty or dot segment"));
  CHECK(contains(refusal("POST", "/model//invoke"), "empty or dot segment"));
  CHECK(contains(refusal("POST", "/model/../invoke"), "empty or dot segment"));
  CHECK(contains(refusal("POST", "/model/m/invoke/"), "empty or dot segment"));
  CHECK(contains(refusal("POST", "model/m/invoke"), "does not start with /"));
  CHECK(contains(refusal("POST", ""), "does not start with /"));
  CHECK(contains(refusal("POST", "/guardrail/g/version/1"), "not a Bedrock operation"));
  CHECK(
      contains(refusal("POST", "/agents/A/agentAliases/B/sessions/C"), "not a Bedrock operation"));
  CHECK(contains(refusal("GET", "/model/m/invoke"),
                 "InvokeModel (/model/m/invoke) takes POST, not GET"));
  CHECK(contains(refusal("DELETE", "/async-invoke"), "takes POST"));
  CHECK(contains(
      refusal("GET", "/async-invoke/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aasync-invoke%2Fx"),
      "not a Bedrock operation"));
  CHECK(contains(refusal("GET", "/agents/session-1"), "InvokeInlineAgent"));
  CHECK(contains(refusal("POST", "/agents/A%2FX/agentAliases/B/sessions/C/text"), "holds a /"));
  std::string deep = "/model";
  for (int i = 0; i < 40; ++i)
    deep += "/x";
  CHECK(contains(refusal("POST", deep), "too deep"));
}

TEST_CASE("hosts give the region and the endpoint family", "[ext_authz][route]") {
  cedar::Result<BedrockHost> rt = parse_bedrock_host("bedrock-runtime.us-east-1.amazonaws.com");
  REQUIRE(rt.ok());
  CHECK(rt->endpoint == Endpoint::kRuntime);
  CHECK(rt->region == "us-east-1");
  CHECK_FALSE(rt->fips);

  cedar::Result<BedrockHost> fips =
      parse_bedrock_host("Bedrock-Runtime-FIPS.us-gov-west-1.amazonaws.com:443");
  REQUIRE(fips.ok());
  CHECK(fips->fips);
  CHECK(fips->region == "us-gov-west-1");

  cedar::Result<BedrockHost> agent =
      parse_bedrock_host("bedrock-agent-runtime.eu-central-1.amazonaws.com");
  REQUIRE(agent.ok());
  CHECK(agent->endpoint == Endpoint::kAgentRuntime);
  CHECK(agent->region == "eu-central-1");

  cedar::Result<BedrockHost> china =
      parse_bedrock_host("bedrock-runtime.cn-north-1.amazonaws.com.cn");
  REQUIRE(china.ok());
  CHECK(china->region == "cn-north-1");
  REQUIRE(parse_bedrock_host("bedrock-runtime.us-west-2.amazonaws.com.").ok());

  for (std::string_view bad :
       {"", "example.com", "bedrock.us-east-1.amazonaws.com", "bedrock-runtime.amazonaws.com",
        "bedrock-runtime.us-east-1.evil.com", "evil.bedrock-runtime.us-east-1.amazonaws.com",
        "bedrock-runtime.us-east-1.amazonaws.com.evil.com"}) {
    INFO(bad);
    cedar::Result<BedrockHost> h = parse_bedrock_host(bad);
    REQUIRE_FALSE(h.ok());
    CHECK(contains(h.message(), "is not a Bedrock runtime or agent runtime endpoint"));
  }
  CHECK(contains(parse_bedrock_host("bedrock-runtime.moon-1.amazonaws.com").message(),
                 "is not an AWS region"));
  CHECK(contains(parse_bedrock_host("bedrock-runtime.us-east-1.amazonaws.com:https").message(),
                 "malformed port"));
  CHECK(contains(parse_bedrock_host("bedrock-runtime.us-east-1.amazonaws.com.cn").message(),
                 "not served under"));
}

TEST_CASE("resources named by id get their ARN in the target account", "[ext_authz][route]") {
  CHECK(*resource_arn(ResourceType::kGuardrail, "gr-1", "us-east-1", "444455556666") ==
        "arn:aws:bedrock:us-east-1:444455556666:guardrail/gr-1");
  CHECK(*resource_arn(ResourceType::kAgentAlias, "A/B", "cn-north-1", "444455556666") ==
        "arn:aws-cn:bedrock:cn-north-1:444455556666:agent-alias/A/B");
  CHECK(*resource_arn(ResourceType::kKnowledgeBase, "KB1", "us-gov-west-1", "444455556666") ==
        "arn:aws-us-gov:bedrock:us-gov-west-1:444455556666:knowledge-base/KB1");
  // An ARN in the path is kept; a model id is completed by the engine.
  CHECK(*resource_arn(ResourceType::kGuardrail, "arn:aws:bedrock:us-east-1:1:guardrail/x",
                      "eu-west-1", "") == "arn:aws:bedrock:us-east-1:1:guardrail/x");
  CHECK(*resource_arn(ResourceType::kModel, "amazon.nova-pro-v1:0", "us-east-1", "") ==
        "amazon.nova-pro-v1:0");
  cedar::Result<std::string> no_account =
      resource_arn(ResourceType::kGuardrail, "gr-1", "us-east-1", "");
  REQUIRE_FALSE(no_account.ok());
  CHECK(contains(no_account.message(), "target account is needed"));
}

}  // namespace
}  // namespace crossgate::server::ext_authz
