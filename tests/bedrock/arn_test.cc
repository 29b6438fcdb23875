// Tests of parse_bedrock_resource: every resource kind's ARN read field by field, bare model
// and system profile ids with and without defaults, and every refusal with its message.
#include "policy/bedrock/arn.h"

#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

namespace crossgate::bedrock {
namespace {

// The facts a parse should produce, written out in full so that a test names every field.
struct Expected {
  ResourceKind kind;
  std::string arn;
  std::string partition;
  std::string region;
  std::string account;
  std::string resource_id;
  std::string provider;
  std::string model;
  std::string profile_geography;
};

void check_parsed(const cedar::Result<BedrockResource>& parsed, const Expected& expected) {
  if (!parsed) FAIL("refused: " << parsed.message());
  CHECK(parsed->kind == expected.kind);
  CHECK(parsed->arn == expected.arn);
  CHECK(parsed->partition == expected.partition);
  CHECK(parsed->region == expected.region);
  CHECK(parsed->account == expected.account);
  CHECK(parsed->resource_id == expected.resource_id);
  CHECK(parsed->provider == expected.provider);
  CHECK(parsed->model == expected.model);
  CHECK(parsed->profile_geography == expected.profile_geography);
}

void check_refused(std::string_view text, const std::string& message,
                   std::string_view default_region = {}, std::string_view default_account = {}) {
  INFO("input: " << text);
  cedar::Result<BedrockResource> parsed =
      parse_bedrock_resource(text, default_region, default_account);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.message() == message);
}

TEST_CASE("kind_name spells each ARN resource type", "[bedrock]") {
  CHECK(kind_name(ResourceKind::kFoundationModel) == "foundation-model");
  CHECK(kind_name(ResourceKind::kInferenceProfile) == "inference-profile");
  CHECK(kind_name(ResourceKind::kApplicationInferenceProfile) == "application-inference-profile");
  CHECK(kind_name(ResourceKind::kProvisionedModel) == "provisioned-model");
  CHECK(kind_name(ResourceKind::kCustomModelDeployment) == "custom-model-deployment");
  CHECK(kind_name(ResourceKind::kImportedModel) == "imported-model");
  CHECK(kind_name(ResourceKind::kAgentAlias) == "agent-alias");
  CHECK(kind_name(ResourceKind::kKnowledgeBase) == "knowledge-base");
  CHECK(kind_name(ResourceKind::kGuardrail) == "guardrail");
}

TEST_CASE("a foundation-model ARN gives provider and model, no account", "[bedrock]") {
  const std::string arn =
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0";
  check_parsed(parse_bedrock_resource(arn, "eu-west-1", "123456789012"),
               {ResourceKind::kFoundationModel, arn, "aws", "us-east-1", "",
                "anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic",
                "claude-3-5-sonnet-20240620-v1:0", ""});
}

TEST_CASE("a foundation-model ARN may leave the region empty", "[bedrock]") {
  const std::string arn = "arn:aws:bedrock:::foundation-model/amazon.titan-text-express-v1";
  check_parsed(parse_bedrock_resource(arn),
               {ResourceKind::kFoundationModel, arn, "aws", "", "", "amazon.titan-text-express-v1",
                "amazon", "titan-text-express-v1", ""});
}

TEST_CASE("a system inference profile ARN gives geography, provider and model", "[bedrock]") {
  const std::string arn =
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
      "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
  check_parsed(parse_bedrock_resource(arn),
               {ResourceKind::kInferenceProfile, arn, "aws", "us-east-1", "123456789012",
                "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic",
                "claude-3-5-sonnet-20240620-v1:0", "us"});
}

TEST_CASE("a GovCloud inference profile ARN keeps the us-gov geography", "[bedrock]") {
  const std::string arn =
      "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/"
      "us-gov.anthropic.claude-3-haiku-20240307-v1:0";
  check_parsed(parse_bedrock_resource(arn),
               {ResourceKind::kInferenceProfile, arn, "aws-us-gov", "us-gov-west-1", "123456789012",
                "us-gov.anthropic.claude-3-haiku-20240307-v1:0", "anthropic",
                "claude-3-haiku-20240307-v1:0", "us-gov"});
}

// Choice: in an ARN the type already says "inference profile", so a geography of AWS's
// documented shape ([a-z-]{2,8}) that we do not know yet is accepted rather than refused.
TEST_CASE("an inference profile ARN accepts a geography not yet known", "[bedrock]") {
  const std::string arn =
      "arn:aws:bedrock:ca-central-1:123456789012:inference-profile/ca.amazon.nova-lite-v1:0";
  check_parsed(parse_bedrock_resource(arn),
               {ResourceKind::kInferenceProfile, arn, "aws", "ca-central-1", "123456789012",
                "ca.amazon.nova-lite-v1:0", "amazon", "nova-lite-v1:0", "ca"});
}

TEST_CASE("account-owned model ARNs carry their generated id", "[bedrock]") {
  struct Case {
    ResourceKind kind;
    std::string arn;
    std::string id;
  };
  const std::vector<Case> cases = {
      {ResourceKind::kApplicationInferenceProfile,
       "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/a1b2c3d4e5f6",
       "a1b2c3d4e5f6"},
      {ResourceKind::kProvisionedModel,
       "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/7ftvb2x3kxiy", "7ftvb2x3kxiy"},
      {ResourceKind::kCustomModelDeployment,
       "arn:aws:bedrock:us-west-2:123456789012:custom-model-deployment/abcdef012345",
       "abcdef012345"},
      {ResourceKind::kImportedModel,
       "arn:aws:bedrock:us-west-2:123456789012:imported-model/zyxwvu987654", "zyxwvu987654"},
  };
  for (const Case& c : cases) {
    INFO(c.arn);
    check_parsed(parse_bedrock_resource(c.arn),
                 {c.kind, c.arn, "aws", "us-west-2", "123456789012", c.id, "", "", ""});
  }
}

TEST_CASE("an agent-alias ARN keeps agent and alias ids", "[bedrock]") {
  const std::string arn =
      "arn:aws:bedrock:eu-central-1:210987654321:agent-alias/AGENT12345/TSTALIASID";
  check_parsed(parse_bedrock_resource(arn), {ResourceKind::kAgentAlias, arn, "aws", "eu-central-1",
                                             "210987654321", "AGENT12345/TSTALIASID", "", "", ""});
}

TEST_CASE("knowledge-base and guardrail ARNs", "[bedrock]") {
  const std::string kb = "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/AQ4ZP7EKJ1";
  check_parsed(parse_bedrock_resource(kb), {ResourceKind::kKnowledgeBase, kb, "aws", "us-east-1",
                                            "123456789012", "AQ4ZP7EKJ1", "", "", ""});
  const std::string guardrail = "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr7abc123xyz";
  check_parsed(parse_bedrock_resource(guardrail),
               {ResourceKind::kGuardrail, guardrail, "aws", "us-east-1", "123456789012",
                "gr7abc123xyz", "", "", ""});
}

TEST_CASE("the China and GovCloud partitions are read", "[bedrock]") {
  const std::string china =
      "arn:aws-cn:bedrock:cn-northwest-1:123456789012:knowledge-base/ABCDEFGHIJ";
  check_parsed(parse_bedrock_resource(china),
               {ResourceKind::kKnowledgeBase, china, "aws-cn", "cn-northwest-1", "123456789012",
                "ABCDEFGHIJ", "", "", ""});
  const std::string gov_model =
      "arn:aws-us-gov:bedrock:us-gov-east-1::foundation-model/amazon.titan-embed-text-v2:0";
  check_parsed(parse_bedrock_resource(gov_model),
               {ResourceKind::kFoundationModel, gov_model, "aws-us-gov", "us-gov-east-1", "",
                "amazon.titan-embed-text-v2:0", "amazon", "titan-embed-text-v2:0", ""});
}

TEST_CASE("foundation model ids of every published shape", "[bedrock]") {
  struct Case {
    std::string id;
    std::string provider;
    std::string model;
  };
  const std::vector<Case> cases = {
      {"anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic", "claude-3-5-sonnet-20240620-v1:0"},
      {"amazon.titan-text-express-v1", "amazon", "titan-text-express-v1"},
      {"meta.llama3-1-70b-instruct-v1:0", "meta", "llama3-1-70b-instruct-v1:0"},
      {"amazon.titan-embed-text-v2:0", "amazon", "titan-embed-text-v2:0"},
      {"anthropic.claude-v2:1:200k", "anthropic", "claude-v2:1:200k"},
      {"amazon.nova-pro-v1:0:300k", "amazon", "nova-pro-v1:0:300k"},
      {"cohere.command-r-plus-v1:0", "cohere", "command-r-plus-v1:0"},
      {"ai21.jamba-1-5-large-v1:0", "ai21", "jamba-1-5-large-v1:0"},
  };
  for (const Case& c : cases) {
    INFO(c.id);
    cedar::Result<BedrockResource> parsed = parse_bedrock_resource(c.id);
    REQUIRE(parsed.ok());
    CHECK(parsed->kind == ResourceKind::kFoundationModel);
    CHECK(parsed->provider == c.provider);
    CHECK(parsed->model == c.model);
    CHECK(parsed->profile_geography.empty());
  }
}

TEST_CASE("a bare foundation model id without defaults keeps region empty", "[bedrock]") {
  check_parsed(
      parse_bedrock_resource("anthropic.claude-3-haiku-20240307-v1:0"),
      {ResourceKind::kFoundationModel,
       "arn:aws:bedrock:::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", "aws", "", "",
       "anthropic.claude-3-haiku-20240307-v1:0", "anthropic", "claude-3-haiku-20240307-v1:0", ""});
}

TEST_CASE("a bare foundation model id takes the default region but never an account", "[bedrock]") {
  check_parsed(
      parse_bedrock_resource("amazon.titan-text-express-v1", "us-west-2", "123456789012"),
      {ResourceKind::kFoundationModel,
       "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-text-express-v1", "aws",
       "us-west-2", "", "amazon.titan-text-express-v1", "amazon", "titan-text-express-v1", ""});
}

TEST_CASE("a bare system profile id takes the default region and account", "[bedrock]") {
  check_parsed(parse_bedrock_resource("eu.anthropic.claude-3-5-sonnet-20240620-v1:0", "eu-west-1",
                                      "123456789012"),
               {ResourceKind::kInferenceProfile,
                "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/"
                "eu.anthropic.claude-3-5-sonnet-20240620-v1:0",
                "aws", "eu-west-1", "123456789012", "eu.anthropic.claude-3-5-sonnet-20240620-v1:0",
                "anthropic", "claude-3-5-sonnet-20240620-v1:0", "eu"});
}

TEST_CASE("a bare system profile id without defaults keeps region and account empty", "[bedrock]") {
  check_parsed(parse_bedrock_resource("apac.amazon.nova-micro-v1:0"),
               {ResourceKind::kInferenceProfile,
                "arn:aws:bedrock:::inference-profile/apac.amazon.nova-micro-v1:0", "aws", "", "",
                "apac.amazon.nova-micro-v1:0", "amazon", "nova-micro-v1:0", "apac"});
}

TEST_CASE("every published profile geography prefix is recognised on a bare id", "[bedrock]") {
  for (std::string geography : {"us", "eu", "apac", "us-gov", "global", "jp", "au"}) {
    std::string id = geography + ".anthropic.claude-sonnet-4-5-20250929-v1:0";
    INFO(id);
    cedar::Result<BedrockResource> parsed = parse_bedrock_resource(id);
    REQUIRE(parsed.ok());
    CHECK(parsed->kind == ResourceKind::kInferenceProfile);
    CHECK(parsed->profile_geography == geography);
    CHECK(parsed->provider == "anthropic");
    CHECK(parsed->model == "claude-sonnet-4-5-20250929-v1:0");
  }
}

TEST_CASE("the default region chooses the partition of a bare id", "[bedrock]") {
  cedar::Result<BedrockResource> gov = parse_bedrock_resource(
      "us-gov.anthropic.claude-3-haiku-20240307-v1:0", "us-gov-west-1", "123456789012");
  REQUIRE(gov.ok());
  CHECK(gov->partition == "aws-us-gov");
  CHECK(gov->arn ==
        "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/"
        "us-gov.anthropic.claude-3-haiku-20240307-v1:0");
  cedar::Result<BedrockResource> china =
      parse_bedrock_resource("deepseek.v3-v1:0", "cn-north-1", "123456789012");
  REQUIRE(china.ok());
  CHECK(china->partition == "aws-cn");
  CHECK(china->arn == "arn:aws-cn:bedrock:cn-north-1::foundation-model/deepseek.v3-v1:0");
}

// Round trip: the ARN built for a bare id parses back to the same facts.
TEST_CASE("the ARN built for a bare id parses back to the same resource", "[bedrock]") {
  cedar::Result<BedrockResource> bare = parse_bedrock_resource(
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-2", "111122223333");
  REQUIRE(bare.ok());
  cedar::Result<BedrockResource> again = parse_bedrock_resource(bare->arn);
  REQUIRE(again.ok());
  CHECK(again->kind == bare->kind);
  CHECK(again->arn == bare->arn);
  CHECK(again->region == bare->region);
  CHECK(again->account == bare->account);
  CHECK(again->resource_id == bare->resource_id);
  CHECK(again->provider == bare->provider);
  CHECK(again->model == bare->model);
  CHECK(again->profile_geography == bare->profile_geography);
}

TEST_CASE("refusals of the input as a whole", "[bedrock]") {
  check_refused("", "empty Bedrock resource: expected an ARN or a model id");
  check_refused(std::string(2049, 'a'), "Bedrock resource is longer than 2048 characters");
  check_refused(" anthropic.claude-v2", "Bedrock resource has whitespace at offset 0");
  check_refused("anthropic.claude-v2\n", "Bedrock resource has whitespace at offset 19");
  check_refused("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude v2",
                "Bedrock resource has whitespace at offset 60");
  check_refused(std::string("anthropic.claude\x01", 17),
                "Bedrock resource has a control character at offset 16");
  check_refused("anthropic.claud\xc3\xa9", "Bedrock resource has a non-ASCII byte at offset 15");
}

TEST_CASE("refusals of the ARN's partition, service and type", "[bedrock]") {
  check_refused("arn:aws:bedrock",
                "malformed ARN `arn:aws:bedrock`: expected "
                "arn:<partition>:bedrock:<region>:<account>:<type>/<id>");
  check_refused("arn::bedrock:us-east-1:123456789012:guardrail/abc",
                "ARN `arn::bedrock:us-east-1:123456789012:guardrail/abc` has no partition");
  check_refused("arn:aws-iso:bedrock:us-iso-east-1:123456789012:guardrail/abc",
                "unsupported partition `aws-iso` (crossgate handles aws, aws-us-gov and aws-cn)");
  check_refused("arn:aws:s3:::my-bucket/key", "not a Bedrock ARN: service is `s3`");
  check_refused("arn:aws:bedrock-runtime:us-east-1::foundation-model/amazon.titan-text-lite-v1",
                "not a Bedrock ARN: service is `bedrock-runtime`");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:foo/bar",
                "unknown Bedrock resource type `foo`");
  // Agents are reached through their aliases; a bare agent ARN is not a kind crossgate decides on.
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ",
                "unknown Bedrock resource type `agent`");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:Guardrail/abc",
                "unknown Bedrock resource type `Guardrail`");
}

TEST_CASE("refusals of the ARN's region and account", "[bedrock]") {
  check_refused("arn:aws:bedrock:us-east-1:12:guardrail/abc", "account `12` is not 12 digits");
  check_refused("arn:aws:bedrock:us-east-1:12345678901a:guardrail/abc",
                "account `12345678901a` is not 12 digits");
  check_refused("arn:aws:bedrock:us-east-1::guardrail/abc",
                "a guardrail ARN needs a 12-digit account");
  check_refused("arn:aws:bedrock::123456789012:knowledge-base/ABCDEFGHIJ",
                "a knowledge-base ARN needs a region");
  check_refused("arn:aws:bedrock::123456789012:inference-profile/us.amazon.nova-lite-v1:0",
                "an inference-profile ARN needs a region");
  check_refused("arn:aws:bedrock:us-east:123456789012:guardrail/abc",
                "region `us-east` is not a valid AWS region");
  check_refused("arn:aws:bedrock:US-EAST-1::foundation-model/amazon.titan-text-lite-v1",
                "region `US-EAST-1` is not a valid AWS region");
  check_refused("arn:aws:bedrock:*::foundation-model/*", "region `*` is not a valid AWS region");
  check_refused("arn:aws:bedrock:cn-north-1:123456789012:guardrail/abc",
                "region `cn-north-1` is in partition `aws-cn`, not `aws`");
  check_refused("arn:aws-us-gov:bedrock:us-east-1:123456789012:guardrail/abc",
                "region `us-east-1` is in partition `aws`, not `aws-us-gov`");
  check_refused("arn:aws:bedrock:us-iso-east-1:123456789012:guardrail/abc",
                "region `us-iso-east-1` is in a partition crossgate does not handle (only aws, "
                "aws-us-gov, aws-cn)");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.titan-text-lite-v1",
                "a foundation-model ARN has no account (foundation models are AWS-owned), got "
                "`123456789012`");
}

TEST_CASE("refusals of the ARN's resource id", "[bedrock]") {
  check_refused("arn:aws:bedrock:us-east-1::foundation-model", "empty foundation-model id");
  check_refused("arn:aws:bedrock:us-east-1::foundation-model/", "empty foundation-model id");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc*",
                "guardrail id `abc*` has the character '*'; ARN resource ids use letters, "
                "digits and . _ : / -");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent-alias/ABCDEFGHIJ/",
                "agent-alias id `ABCDEFGHIJ/` has an empty segment");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent-alias/ABCDEFGHIJ//TSTALIASID",
                "agent-alias id `ABCDEFGHIJ//TSTALIASID` has an empty segment");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent-alias/ABCDEFGHIJ",
                "agent-alias id `ABCDEFGHIJ` is not <agentId>/<aliasId>");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent-alias/ABCDEFGHIJ/TSTALIASID/x",
                "agent-alias id `ABCDEFGHIJ/TSTALIASID/x` is not <agentId>/<aliasId>");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent-alias/ABC/TSTALIASID",
                "agent id `ABC` is not 10 letters or digits");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:agent-alias/ABCDEFGHIJ/TSTALIAS_D",
                "agent alias id `TSTALIAS_D` is not 10 letters or digits");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:knowledge-base/kb-1234567",
                "knowledge base id `kb-1234567` is not 10 letters or digits");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ABCDEFGHIJK",
                "knowledge base id `ABCDEFGHIJK` is not 10 letters or digits");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:guardrail/ABC123",
                "guardrail id `ABC123` is not lowercase letters and digits (at most 64)");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc:1",
                "guardrail id `abc:1` is not lowercase letters and digits (at most 64)");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:guardrail/" + std::string(65, 'a'),
                "guardrail id `" + std::string(65, 'a') +
                    "` is not lowercase letters and digits (at most 64)");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc-123",
                "provisioned-model id `abc-123` is not an AWS-generated id (lowercase letters "
                "and digits, such as `a1b2c3d4e5f6`)");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:imported-model/abc/def",
                "imported-model id `abc/def` has more than one segment");
  check_refused(
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/A1B2C3D4E5F6",
      "application-inference-profile id `A1B2C3D4E5F6` is not an AWS-generated id (lowercase "
      "letters and digits, such as `a1b2c3d4e5f6`)");
}

TEST_CASE("refusals of foundation model ids", "[bedrock]") {
  const std::string prefix = "arn:aws:bedrock:us-east-1::foundation-model/";
  check_refused(prefix + "claude",
                "foundation model id `claude` has no provider: expected <provider>.<model>");
  check_refused(prefix + "Anthropic.claude",
                "foundation model id `Anthropic.claude` has the character 'A'; model ids use "
                "lowercase letters, digits, '-', '.' and ':'");
  check_refused(prefix + "a.b.c.d.e",
                "foundation model id `a.b.c.d.e` has more than four '.'-separated parts");
  check_refused(prefix + "anthropic.claude:1:2:3",
                "foundation model id `anthropic.claude:1:2:3` has more than two ':' suffixes");
  check_refused(prefix + "anthropic..claude",
                "foundation model id `anthropic..claude` has an empty part");
  check_refused(prefix + "anthropic.claude-v2:",
                "foundation model id `anthropic.claude-v2:` has an empty part");
  check_refused(prefix + "anthropic." + std::string(64, 'c'),
                "foundation model id `anthropic." + std::string(64, 'c') +
                    "` has a part longer than 63 characters");
  check_refused(prefix + "anthropic.claude_v2",
                "foundation model id `anthropic.claude_v2` has the character '_'; model ids use "
                "lowercase letters, digits, '-', '.' and ':'");
}

TEST_CASE("refusals of inference profile ids", "[bedrock]") {
  const std::string prefix = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/";
  check_refused(prefix + "anthropic.claude-v2",
                "inference profile id `anthropic.claude-v2` does not start with a geography "
                "such as `us.` or `eu.` (expected <geography>.<provider>.<model>)");
  check_refused(prefix + "amazon.nova-pro-v1:0",
                "inference profile id `amazon.nova-pro-v1:0` is not "
                "<geography>.<provider>.<model>");
  check_refused(prefix + "us-east-1",
                "inference profile id `us-east-1` has no geography: expected "
                "<geography>.<provider>.<model>");
  check_refused(prefix + "us.Anthropic.claude",
                "inference profile id `us.Anthropic.claude` has the character 'A'; model ids use "
                "lowercase letters, digits, '-', '.' and ':'");
  check_refused("us.claude-v2",
                "inference profile id `us.claude-v2` is not "
                "<geography>.<provider>.<model>");
}

TEST_CASE("refusals of bare ids and their defaults", "[bedrock]") {
  check_refused("guardrail/abc",
                "`guardrail/abc` is neither a Bedrock ARN nor a foundation model or inference "
                "profile id");
  // A knowledge base id alone says nothing of its kind; it is read as a model id and refused.
  check_refused("AQ4ZP7EKJ1",
                "foundation model id `AQ4ZP7EKJ1` has the character 'A'; model ids use lowercase "
                "letters, digits, '-', '.' and ':'");
  check_refused("ARN:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1",
                "`ARN:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1` is "
                "neither a Bedrock ARN nor a foundation model or inference profile id");
  check_refused("arn:aws:bedrock:us-east-1:123456789012:imported-model", "empty imported-model id");
  check_refused("amazon.titan-text-lite-v1", "default region `us-mars-1` is not a valid AWS region",
                "us-mars-1");
  check_refused("amazon.titan-text-lite-v1",
                "default region `us-isob-east-1` is in a partition crossgate does not handle "
                "(only aws, aws-us-gov, aws-cn)",
                "us-isob-east-1");
  check_refused("us.amazon.nova-lite-v1:0", "default account `1234` is not 12 digits", "us-east-1",
                "1234");
  check_refused("amazon.titan-text-lite-v1", "default account `abc` is not 12 digits", "us-east-1",
                "abc");
}

}  // namespace
}  // namespace crossgate::bedrock
