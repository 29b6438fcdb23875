// What a Bedrock runtime HTTP request asks for, read from its method, path and host alone
// (no gRPC, no configuration): the Bedrock API and IAM action, the resource the path names
// (URL-decoded), and the region and endpoint family the host names. The first step of
// turning an Envoy ext_authz CheckRequest into a decision request (request_mapping.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::server::ext_authz {

enum class Endpoint : std::uint8_t {
  kRuntime,       // bedrock-runtime: models, guardrails, async invocations
  kAgentRuntime,  // bedrock-agent-runtime: agents and knowledge bases
};

// What the resource named by a route is, so that a model path cannot name an agent.
enum class ResourceType : std::uint8_t { kModel, kGuardrail, kAgentAlias, kKnowledgeBase };

struct BedrockHost {
  Endpoint endpoint = Endpoint::kRuntime;
  std::string region;
  bool fips = false;
};

// bedrock-runtime[-fips].REGION.amazonaws.com and bedrock-agent-runtime[-fips].REGION...
// (amazonaws.com.cn in China), case-insensitive, with or without a port. An error naming
// the host for anything else.
cedar::Result<BedrockHost> parse_bedrock_host(std::string_view host);

struct BedrockRoute {
  Endpoint endpoint = Endpoint::kRuntime;
  std::string api;         // "InvokeModel", "Converse", "ApplyGuardrail", ...
  std::string iam_action;  // "bedrock:InvokeModel", ...
  ResourceType resource_type = ResourceType::kModel;
  // The resource as the path names it, URL-decoded: a model id, profile id or ARN; a
  // guardrail id or ARN; "AGENT_ID/ALIAS_ID"; a knowledge base id. Empty when the path does
  // not carry it (StartAsyncInvoke, InvokeInlineAgent, RetrieveAndGenerate: it is in the
  // body).
  std::string resource;
  // Where the JSON body names the resource when the path does not: the keys from the top
  // ({"modelId"}, ...). Empty for operations whose body names no resource.
  std::span<const std::string_view> body_resource;
  std::string guardrail_version;  // ApplyGuardrail only
};

// Maps the method and path (the query string and fragment are ignored) to a route, or an
// error saying what is wrong: an unknown path, a method the operation does not take, a
// malformed percent-escape, an empty or dot segment.
cedar::Result<BedrockRoute> parse_bedrock_route(std::string_view method, std::string_view path);

// Decodes %XX escapes (a '+' stays a '+': paths are not form data). Refuses a truncated or
// non-hex escape and decoded control characters.
cedar::Result<std::string> percent_decode(std::string_view text);

// The ARN of a guardrail, agent alias or knowledge base the route names by id, in `region`
// and `account` (an ARN given in the path is kept as it is). Models are returned unchanged:
// the engine completes bare model ids itself.
cedar::Result<std::string> resource_arn(ResourceType type, std::string_view resource,
                                        std::string_view region, std::string_view account);

}  // namespace crossgate::server::ext_authz
