#include "server/ext_authz/bedrock_route.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "policy/bedrock/actions.h"
#include "policy/bedrock/arn.h"

namespace crossgate::server::ext_authz {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Paths are quoted in errors; keep what is quoted short and printable.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (text.size() > 200) out += "...";
  return out;
}

struct Operation {
  std::string_view api;
  std::string_view method;
  std::span<const std::string_view> body_resource = {};
};

// Where the operations whose path names no resource name it in their body.
constexpr std::array<std::string_view, 1> kModelIdInBody = {"modelId"};
constexpr std::array<std::string_view, 1> kFoundationModelInBody = {"foundationModel"};
constexpr std::array<std::string_view, 3> kKnowledgeBaseInBody = {
    "retrieveAndGenerateConfiguration", "knowledgeBaseConfiguration", "knowledgeBaseId"};

cedar::Result<BedrockRoute> route(Endpoint endpoint, Operation op, std::string_view method,
                                  ResourceType type, std::string resource, std::string_view path) {
  if (method != op.method) {
    return cedar::Error{std::string(op.api) + " (" + shown(path) + ") takes " +
                        std::string(op.method) + ", not " + shown(method)};
  }
  std::optional<std::string> iam = bedrock::iam_action_for(op.api);
  if (!iam) return cedar::Error{"no IAM action is known for " + std::string(op.api)};
  BedrockRoute r;
  r.endpoint = endpoint;
  r.api = std::string(op.api);
  r.iam_action = std::move(*iam);
  r.resource_type = type;
  r.resource = std::move(resource);
  r.body_resource = op.body_resource;
  return r;
}

std::string_view partition_for(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

}  // namespace

cedar::Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      int high = complete ? hex_value(text[i + 1]) : -1;
      int low = complete ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return cedar::Error{"`" + shown(text) + "` has a malformed percent-escape at offset " +
                            std::to_string(i)};
      }
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return cedar::Error{"`" + shown(text) + "` holds a control character"};
    }
    out += c;
  }
  return out;
}

cedar::Result<BedrockHost> parse_bedrock_host(std::string_view raw) {
  std::string host = lower(raw);
  if (std::size_t colon = host.rfind(':'); colon != std::string::npos) {
    std::string_view port = std::string_view(host).substr(colon + 1);
    if (port.empty() ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return cedar::Error{"host `" + shown(raw) + "` has a malformed port"};
    }
    host.resize(colon);
  }
  if (host.ends_with(".")) host.pop_back();  // a fully qualified name
  auto not_bedrock = [&] {
    return cedar::Error{"host `" + shown(raw) +
                        "` is not a Bedrock runtime or agent runtime endpoint "
                        "(bedrock-runtime.REGION.amazonaws.com, "
                        "bedrock-agent-runtime.REGION.amazonaws.com)"};
  };
  std::string_view rest = host;
  std::string_view suffix;
  for (std::string_view s :
       {std::string_view(".amazonaws.com"), std::string_view(".amazonaws.com.cn")}) {
    if (rest.ends_with(s)) suffix = s;
  }
  if (suffix.empty()) return not_bedrock();
  rest.remove_suffix(suffix.size());
  std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return not_bedrock();
  std::string_view service = rest.substr(0, dot);
  std::string_view region = rest.substr(dot + 1);
  BedrockHost out;
  if (service == "bedrock-runtime" || service == "bedrock-runtime-fips") {
    out.endpoint = Endpoint::kRuntime;
  } else if (service == "bedrock-agent-runtime" || service == "bedrock-agent-runtime-fips") {
    out.endpoint = Endpoint::kAgentRuntime;
  } else {
    return not_bedrock();
  }
  out.fips = service.ends_with("-fips");
  if (!bedrock::is_valid_region(region)) {
    return cedar::Error{"host `" + shown(raw) + "`: `" + std::string(region) +
                        "` is not an AWS region"};
  }
  if ((suffix == ".amazonaws.com.cn") != region.starts_with("cn-")) {
    return cedar::Error{"host `" + shown(raw) + "`: region " + std::string(region) +
                        " is not served under " + std::string(suffix.substr(1))};
  }
  out.region = std::string(region);
  return out;
}

cedar::Result<BedrockRoute> parse_bedrock_route(std::string_view method, std::string_view path) {
  std::string_view target = path.substr(0, path.find_first_of("?#"));
  if (!target.starts_with("/")) {
    return cedar::Error{"path `" + shown(path) + "` does not start with /"};
  }
  // Split first, decode each segment after: an encoded '/' (%2F, in ARNs) stays inside its
  // segment.
  std::vector<std::string> segments;
  std::string_view rest = target.substr(1);
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view raw = rest.substr(0, slash);
    if (raw.empty() || raw == "." || raw == "..") {
      return cedar::Error{"path `" + shown(path) + "` has an empty or dot segment"};
    }
    cedar::Result<std::string> decoded = percent_decode(raw);
    if (!decoded.ok()) return cedar::Error{"path: " + decoded.message()};
    segments.push_back(std::move(*decoded));
    if (segments.size() > 16) return cedar::Error{"path `" + shown(path) + "` is too deep"};
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  const std::size_t n = segments.size();
  auto is = [&](std::size_t i, std::string_view literal) {
    return i < n && segments[i] == literal;
  };
  using R = ResourceType;
  constexpr Endpoint kRt = Endpoint::kRuntime;
  constexpr Endpoint kAgent = Endpoint::kAgentRuntime;

  // bedrock-runtime
  if (n == 3 && is(0, "model")) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kModelOps = {{
        {"invoke", "InvokeModel"},
        {"invoke-with-response-stream", "InvokeModelWithResponseStream"},
        {"invoke-with-bidirectional-stream", "InvokeModelWithBidirectionalStream"},
        {"converse", "Converse"},
        {"converse-stream", "ConverseStream"},
        {"count-tokens", "CountTokens"},
    }};
    for (const auto& [suffix, api] : kModelOps) {
      if (segments[2] == suffix)
        return route(kRt, {api, "POST"}, method, R::kModel, segments[1], path);
    }
  }
  if (n == 1 && is(0, "async-invoke")) {
    return route(kRt, {"StartAsyncInvoke", "POST", kModelIdInBody}, method, R::kModel, "", path);
  }
  if (n == 5 && is(0, "guardrail") && is(2, "version") && is(4, "apply")) {
    cedar::Result<BedrockRoute> r =
        route(kRt, {"ApplyGuardrail", "POST"}, method, R::kGuardrail, segments[1], path);
    if (r.ok()) r->guardrail_version = segments[3];
    return r;
  }
  // bedrock-agent-runtime
  if (n == 7 && is(0, "agents") && is(2, "agentAliases") && is(4, "sessions") && is(6, "text")) {
    if (segments[1].find('/') != std::string::npos || segments[3].find('/') != std::string::npos) {
      return cedar::Error{"path `" + shown(path) + "`: an agent or alias id holds a /"};
    }
    return route(kAgent, {"InvokeAgent", "POST"}, method, R::kAgentAlias,
                 segments[1] + "/" + segments[3], path);
  }
  if (n == 2 && is(0, "agents")) {
    // The session id names nothing crossgate decides on: the inline agent orchestrates with
    // the model its body names (foundationModel).
    return route(kAgent, {"InvokeInlineAgent", "POST", kFoundationModelInBody}, method, R::kModel,
                 "", path);
  }
  if (n == 3 && is(0, "knowledgebases") && is(2, "retrieve")) {
    return route(kAgent, {"Retrieve", "POST"}, method, R::kKnowledgeBase, segments[1], path);
  }
  if (n == 1 && is(0, "retrieve")) {
    return route(kAgent, {"Retrieve", "POST"}, method, R::kKnowledgeBase, "", path);
  }
  if (n == 1 && is(0, "retrieveAndGenerate")) {
    return route(kAgent, {"RetrieveAndGenerate", "POST", kKnowledgeBaseInBody}, method,
                 R::kKnowledgeBase, "", path);
  }
  if (n == 1 && is(0, "retrieveAndGenerateStream")) {
    return route(kAgent, {"RetrieveAndGenerateStream", "POST", kKnowledgeBaseInBody}, method,
                 R::kKnowledgeBase, "", path);
  }
  return cedar::Error{"path `" + shown(path) +
                      "` is not a Bedrock operation crossgate knows (see docs/ext_authz.md)"};
}

cedar::Result<std::string> resource_arn(ResourceType type, std::string_view resource,
                                        std::string_view region, std::string_view account) {
  if (type == ResourceType::kModel || resource.starts_with("arn:")) return std::string(resource);
  std::string_view kind = type == ResourceType::kGuardrail    ? "guardrail"
                          : type == ResourceType::kAgentAlias ? "agent-alias"
                                                              : "knowledge-base";
  if (account.empty()) {
    return cedar::Error{std::string(kind) + " `" + shown(resource) +
                        "` is named by id: the target account is needed to name its ARN"};
  }
  return "arn:" + std::string(partition_for(region)) + ":bedrock:" + std::string(region) + ":" +
         std::string(account) + ":" + std::string(kind) + "/" + std::string(resource);
}

}  // namespace crossgate::server::ext_authz
