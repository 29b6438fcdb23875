// Parsing of the Bedrock resources a request names: full ARNs of every kind crossgate
// decides on, and bare foundation model or system inference profile ids.
//
// ARN shapes, from the Service Authorization Reference's resource types for Amazon Bedrock
// (service prefix "bedrock"):
//   arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}
//   arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/${ResourceId}
//   arn:${Partition}:bedrock:${Region}:${Account}:application-inference-profile/${ResourceId}
//   arn:${Partition}:bedrock:${Region}:${Account}:provisioned-model/${ResourceId}
//   arn:${Partition}:bedrock:${Region}:${Account}:custom-model-deployment/${ResourceId}
//   arn:${Partition}:bedrock:${Region}:${Account}:imported-model/${ResourceId}
//   arn:${Partition}:bedrock:${Region}:${Account}:agent-alias/${AgentId}/${AgentAliasId}
//   arn:${Partition}:bedrock:${Region}:${Account}:knowledge-base/${KnowledgeBaseId}
//   arn:${Partition}:bedrock:${Region}:${Account}:guardrail/${GuardrailId}
// Id syntax, from the Bedrock API reference's request patterns:
//   provisioned-model, custom-model-deployment, imported-model and
//   application-inference-profile ids are [a-z0-9]{12} (InvokeModel / CreateEvaluationJob
//   model identifiers, GetCustomModelDeployment); agent and agent alias ids are
//   [0-9a-zA-Z]{10} (GetAgentAlias: "Fixed length of 10", the test alias is TSTALIASID);
//   knowledge base ids are [0-9a-zA-Z]{10} (GetDocumentContent, AWS::Bedrock::KnowledgeBase);
//   guardrail ids are [a-z0-9]+ of at most 64 (ApplyGuardrail, GuardrailConfiguration).
#include "policy/bedrock/arn.h"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "policy/bedrock/location.h"
#include "policy/bedrock/model_id.h"

namespace crossgate::bedrock {
namespace {

using cedar::Error;
using cedar::Result;

// AWS bounds ARNs at 2048 characters (the Bedrock API's ARN-valued fields all say so).
constexpr std::size_t kMaxLength = 2048;

// The ids AWS generates for provisioned models, custom model deployments, imported models
// and application inference profiles are 12 characters today; we accept up to 64 of the same
// alphabet so that a change of length does not refuse a real id, while the alphabet still
// refuses garbage (dots, slashes, capitals).
constexpr std::size_t kMaxGeneratedIdLength = 64;
constexpr std::size_t kMaxGuardrailIdLength = 64;
constexpr std::size_t kAgentIdLength = 10;

struct KindName {
  ResourceKind kind;
  std::string_view name;
};

constexpr std::array<KindName, 9> kKindNames = {{
    {ResourceKind::kFoundationModel, "foundation-model"},
    {ResourceKind::kInferenceProfile, "inference-profile"},
    {ResourceKind::kApplicationInferenceProfile, "application-inference-profile"},
    {ResourceKind::kProvisionedModel, "provisioned-model"},
    {ResourceKind::kCustomModelDeployment, "custom-model-deployment"},
    {ResourceKind::kImportedModel, "imported-model"},
    {ResourceKind::kAgentAlias, "agent-alias"},
    {ResourceKind::kKnowledgeBase, "knowledge-base"},
    {ResourceKind::kGuardrail, "guardrail"},
}};

std::optional<ResourceKind> kind_from_name(std::string_view name) {
  for (const KindName& entry : kKindNames) {
    if (entry.name == name) return entry.kind;
  }
  return std::nullopt;
}

std::string quoted(std::string_view text) {
  return "`" + std::string(text) + "`";
}

// "a guardrail ARN", "an imported-model ARN".
std::string a_kind_arn(std::string_view type) {
  bool vowel =
      !type.empty() && std::string_view("aeiou").find(type.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(type) + " ARN";
}

bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}

// The characters an ARN resource id may hold here: letters, digits and . _ : / -.
bool is_resource_id_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
}

// Refuses whitespace, control characters and non-ASCII bytes anywhere: none is part of any
// ARN or model id, and each would let two spellings name one resource.
std::optional<Error> check_characters(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte > 0x20 && byte < 0x7f) continue;
    std::string where = " at offset " + std::to_string(i);
    if (byte == ' ' || (byte >= '\t' && byte <= '\r')) {
      return Error{"Bedrock resource has whitespace" + where};
    }
    if (byte < 0x20 || byte == 0x7f) {
      return Error{"Bedrock resource has a control character" + where};
    }
    if (byte >= 0x80) return Error{"Bedrock resource has a non-ASCII byte" + where};
  }
  return std::nullopt;
}

// The checks every ARN resource id goes through, whatever its kind.
std::optional<Error> check_resource_id(std::string_view kind, std::string_view id) {
  if (id.empty()) return Error{"empty " + std::string(kind) + " id"};
  for (char c : id) {
    if (!is_resource_id_char(c)) {
      return Error{std::string(kind) + " id " + quoted(id) + " has the character '" + c +
                   "'; ARN resource ids use letters, digits and . _ : / -"};
    }
  }
  if (id.front() == '/' || id.back() == '/' || id.find("//") != std::string_view::npos) {
    return Error{std::string(kind) + " id " + quoted(id) + " has an empty segment"};
  }
  return std::nullopt;
}

bool all_of(std::string_view text, bool (*accept)(char)) {
  for (char c : text) {
    if (!accept(c)) return false;
  }
  return true;
}

std::optional<Error> check_generated_id(std::string_view kind, std::string_view id) {
  if (id.find('/') != std::string_view::npos) {
    return Error{std::string(kind) + " id " + quoted(id) + " has more than one segment"};
  }
  if (id.size() > kMaxGeneratedIdLength || !all_of(id, is_lower_or_digit)) {
    return Error{std::string(kind) + " id " + quoted(id) +
                 " is not an AWS-generated id (lowercase letters and digits, such as "
                 "`a1b2c3d4e5f6`)"};
  }
  return std::nullopt;
}

// Agent, agent alias and knowledge base ids: exactly ten letters or digits.
std::optional<Error> check_ten_alnum(std::string_view what, std::string_view id) {
  if (id.size() != kAgentIdLength || !all_of(id, is_alnum)) {
    return Error{std::string(what) + " " + quoted(id) + " is not 10 letters or digits"};
  }
  return std::nullopt;
}

// Fills the kind-specific facts of `resource` from its id, refusing ids of the wrong shape.
std::optional<Error> read_kind_id(BedrockResource& resource, bool known_geography_required) {
  std::string_view kind = kind_name(resource.kind);
  std::string_view id = resource.resource_id;
  switch (resource.kind) {
    case ResourceKind::kFoundationModel: {
      Result<internal::ModelIdParts> parts = internal::parse_foundation_model_id(id);
      if (!parts) return parts.error();
      resource.provider = std::move(parts->provider);
      resource.model = std::move(parts->model);
      return std::nullopt;
    }
    case ResourceKind::kInferenceProfile: {
      Result<internal::ModelIdParts> parts =
          internal::parse_system_profile_id(id, known_geography_required);
      if (!parts) return parts.error();
      resource.profile_geography = std::move(parts->geography);
      resource.provider = std::move(parts->provider);
      resource.model = std::move(parts->model);
      return std::nullopt;
    }
    case ResourceKind::kApplicationInferenceProfile:
    case ResourceKind::kProvisionedModel:
    case ResourceKind::kCustomModelDeployment:
    case ResourceKind::kImportedModel: return check_generated_id(kind, id);
    case ResourceKind::kAgentAlias: {
      std::size_t slash = id.find('/');
      if (slash == std::string_view::npos || id.find('/', slash + 1) != std::string_view::npos) {
        return Error{"agent-alias id " + quoted(id) + " is not <agentId>/<aliasId>"};
      }
      if (auto problem = check_ten_alnum("agent id", id.substr(0, slash))) return problem;
      return check_ten_alnum("agent alias id", id.substr(slash + 1));
    }
    case ResourceKind::kKnowledgeBase: return check_ten_alnum("knowledge base id", id);
    case ResourceKind::kGuardrail:
      if (id.size() > kMaxGuardrailIdLength || !all_of(id, is_lower_or_digit)) {
        return Error{"guardrail id " + quoted(id) +
                     " is not lowercase letters and digits (at most 64)"};
      }
      return std::nullopt;
  }
  return Error{"unhandled Bedrock resource kind"};
}

// Region and partition of an ARN (or of the defaults given with a bare id) must agree:
// a cn-* region is only in aws-cn, a us-gov-* region only in aws-us-gov.
std::optional<Error> check_region_in_partition(std::string_view region,
                                               std::string_view partition) {
  std::string_view owner = internal::partition_of_region(region);
  if (owner.empty()) {
    return Error{"region " + quoted(region) +
                 " is in a partition crossgate does not handle (only aws, aws-us-gov, aws-cn)"};
  }
  if (owner != partition) {
    return Error{"region " + quoted(region) + " is in partition " + quoted(owner) + ", not " +
                 quoted(partition)};
  }
  return std::nullopt;
}

Result<BedrockResource> parse_arn(std::string_view text) {
  std::array<std::string_view, 5> fields;  // arn, partition, service, region, account
  std::size_t start = 0;
  for (std::string_view& field : fields) {
    std::size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) {
      return Error{"malformed ARN " + quoted(text) +
                   ": expected arn:<partition>:bedrock:<region>:<account>:<type>/<id>"};
    }
    field = text.substr(start, colon - start);
    start = colon + 1;
  }
  std::string_view partition = fields[1];
  std::string_view service = fields[2];
  std::string_view region = fields[3];
  std::string_view account = fields[4];
  std::string_view resource_part = text.substr(start);

  if (partition.empty()) return Error{"ARN " + quoted(text) + " has no partition"};
  if (!internal::is_supported_partition(partition)) {
    return Error{"unsupported partition " + quoted(partition) +
                 " (crossgate handles aws, aws-us-gov and aws-cn)"};
  }
  if (service != "bedrock") return Error{"not a Bedrock ARN: service is " + quoted(service)};

  std::size_t slash = resource_part.find('/');
  std::string_view type = resource_part.substr(0, slash);
  std::optional<ResourceKind> kind = kind_from_name(type);
  if (!kind) return Error{"unknown Bedrock resource type " + quoted(type)};
  bool foundation_model = *kind == ResourceKind::kFoundationModel;

  // Foundation model ARNs may leave the region empty (arn:aws:bedrock:::foundation-model/...
  // appears in policies); every other kind lives in one region of one account.
  if (region.empty()) {
    if (!foundation_model) return Error{a_kind_arn(type) + " needs a region"};
  } else {
    if (!is_valid_region(region)) {
      return Error{"region " + quoted(region) + " is not a valid AWS region"};
    }
    if (auto problem = check_region_in_partition(region, partition)) return *problem;
  }
  if (foundation_model) {
    if (!account.empty()) {
      std::string problem = "a foundation-model ARN has no account (foundation models are ";
      return Error{problem + "AWS-owned), got " + quoted(account)};
    }
  } else if (account.empty()) {
    return Error{a_kind_arn(type) + " needs a 12-digit account"};
  } else if (!is_valid_account_id(account)) {
    return Error{"account " + quoted(account) + " is not 12 digits"};
  }

  std::string_view id =
      slash == std::string_view::npos ? std::string_view{} : resource_part.substr(slash + 1);
  if (auto problem = check_resource_id(type, id)) return *problem;

  BedrockResource resource;
  resource.kind = *kind;
  resource.arn = std::string(text);
  resource.partition = std::string(partition);
  resource.region = std::string(region);
  resource.account = std::string(account);
  resource.resource_id = std::string(id);
  if (auto problem = read_kind_id(resource, /*known_geography_required=*/false)) {
    return *problem;
  }
  return resource;
}

// A bare foundation model id or system profile id: the request's own region and account
// (the defaults) say where it is invoked.
Result<BedrockResource> parse_bare_id(std::string_view text, std::string_view default_region,
                                      std::string_view default_account) {
  if (text.find('/') != std::string_view::npos) {
    return Error{quoted(text) +
                 " is neither a Bedrock ARN nor a foundation model or inference profile id"};
  }
  BedrockResource resource;
  resource.kind = internal::has_known_geography_prefix(text) ? ResourceKind::kInferenceProfile
                                                             : ResourceKind::kFoundationModel;
  resource.resource_id = std::string(text);
  if (auto problem = read_kind_id(resource, /*known_geography_required=*/true)) {
    return *problem;
  }

  resource.partition = "aws";
  if (!default_region.empty()) {
    if (!is_valid_region(default_region)) {
      return Error{"default region " + quoted(default_region) + " is not a valid AWS region"};
    }
    std::string_view partition = internal::partition_of_region(default_region);
    if (partition.empty()) {
      return Error{"default region " + quoted(default_region) +
                   " is in a partition crossgate does not handle (only aws, aws-us-gov, aws-cn)"};
    }
    resource.partition = std::string(partition);
    resource.region = std::string(default_region);
  }
  if (!default_account.empty() && !is_valid_account_id(default_account)) {
    return Error{"default account " + quoted(default_account) + " is not 12 digits"};
  }
  // Foundation models are AWS-owned, so their ARNs have no account whatever the caller's is;
  // a system profile is addressed in the caller's account.
  if (resource.kind == ResourceKind::kInferenceProfile) {
    resource.account = std::string(default_account);
  }
  resource.arn = "arn:" + resource.partition + ":bedrock:" + resource.region + ":" +
                 resource.account + ":" + std::string(kind_name(resource.kind)) + "/" +
                 resource.resource_id;
  return resource;
}

}  // namespace

std::string_view kind_name(ResourceKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "unknown";
}

Result<BedrockResource> parse_bedrock_resource(std::string_view text,
                                               std::string_view default_region,
                                               std::string_view default_account) {
  if (text.empty()) return Error{"empty Bedrock resource: expected an ARN or a model id"};
  if (text.size() > kMaxLength) {
    return Error{"Bedrock resource is longer than " + std::to_string(kMaxLength) + " characters"};
  }
  if (auto problem = check_characters(text)) return *problem;
  if (text.starts_with("arn:")) return parse_arn(text);
  return parse_bare_id(text, default_region, default_account);
}

}  // namespace crossgate::bedrock
