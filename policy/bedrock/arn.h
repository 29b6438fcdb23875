// Bedrock resource identifiers: the ARNs (and bare model ids) that a Bedrock call names,
// parsed into the facts policies and guardrails use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::bedrock {

enum class ResourceKind : unsigned char {
  kFoundationModel,   // arn:aws:bedrock:REGION::foundation-model/PROVIDER.MODEL
  kInferenceProfile,  // system-defined cross-region profile: .../inference-profile/us.anthropic...
  kApplicationInferenceProfile,  // .../application-inference-profile/ID
  kProvisionedModel,             // .../provisioned-model/ID
  kCustomModelDeployment,        // .../custom-model-deployment/ID
  kImportedModel,                // .../imported-model/ID
  kAgentAlias,                   // .../agent-alias/AGENT_ID/ALIAS_ID
  kKnowledgeBase,                // .../knowledge-base/ID
  kGuardrail,                    // .../guardrail/ID
};

// "foundation-model", "inference-profile", ... (the ARN resource type).
std::string_view kind_name(ResourceKind kind);

struct BedrockResource {
  ResourceKind kind = ResourceKind::kFoundationModel;
  std::string arn;          // canonical ARN (built from the parts when a bare id was given)
  std::string partition;    // "aws", "aws-us-gov", "aws-cn"
  std::string region;       // may be empty for a foundation model given without region
  std::string account;      // 12 digits; empty for foundation models (AWS-owned)
  std::string resource_id;  // everything after "<type>/"
  // Foundation models and system inference profiles: the model provider ("anthropic",
  // "amazon", ...) and the model id without the provider ("claude-3-5-sonnet-...").
  std::string provider;
  std::string model;
  // System inference profiles: the geography prefix ("us", "eu", "apac", "global").
  std::string profile_geography;
};

// Parses an ARN of any kind above, or a bare model id ("anthropic.claude-3-haiku-...:0")
// or system profile id ("us.anthropic.claude-..."), for which `default_region` and
// `default_account` fill the region and account. Refuses anything malformed with an error
// naming what is wrong (not an ARN, wrong service, unknown resource type, bad account or
// region, empty id, bad characters).
cedar::Result<BedrockResource> parse_bedrock_resource(std::string_view text,
                                                      std::string_view default_region = {},
                                                      std::string_view default_account = {});

bool is_valid_account_id(std::string_view account);  // exactly 12 digits
bool is_valid_region(std::string_view region);       // e.g. us-east-1, eu-central-2, us-gov-west-1

}  // namespace crossgate::bedrock
