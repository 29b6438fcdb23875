#include "policy/model/builtin_schema.h"

#include <set>

#include "policy/bedrock/actions.h"

namespace crossgate::model {
namespace {

constexpr std::string_view kEntitiesAndContext = R"(// crossgate built-in model.

// An accountable team or person: workloads are "in" their identity owner and accounts
// "in" their platform owner, so `principal in Owner::"team-x"` works.
entity Owner { name: String, contact: String };
entity Application;
entity Environment;
entity BusinessFunction;
entity OrgUnit;

entity Workload in [Application, Environment, BusinessFunction, Owner] {
  application: String,
  environment: String,
  businessFunction: String,
  identityOwner?: Owner,
  status: String,
  homeAccounts: Set<String>,
  homeRegions: Set<String>,
};

entity Account in [OrgUnit, Owner] {
  name: String,
  environment: String,
  platformOwner?: Owner,
  orgUnit: String,
  regions: Set<String>,
};

// Built from the request's ARN; in the account that owns it (none for AWS-owned models).
entity BedrockResource in [Account] {
  arn: String,
  kind: String,
  provider: String,
  model: String,
  region: String,
  account: String,
  processingRegions: Set<String>,
};

type EmergencyGrant = { id: String, incidentId: String, incidentOwner: String };

type BoundaryContext = {
  requestId: String,
  api: String,
  sourceAccount: String,
  sourceRegion: String,
  targetAccount: String,
  targetRegion: String,
  crossAccount: Bool,
  crossRegion: Bool,
  processingRegions: Set<String>,
  dataClassification: String,
  identityType: String,
  credentialAgeSeconds: Long,
  gateway: String,
  emergency: Bool,
  emergencyGrant?: EmergencyGrant,
  callChain: Set<String>,
  callChainDepth: Long,
  requestTime: datetime,
  extra: Extra,
};

action "model-invocation";
action "agent-invocation";
)";

// Which group an action joins, so that a policy can name a family of calls.
std::string_view group_of(std::string_view action) {
  static const std::set<std::string_view, std::less<>> kModel = {
      "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:CountTokens"};
  static const std::set<std::string_view, std::less<>> kAgent = {
      "bedrock:InvokeAgent", "bedrock:InvokeInlineAgent", "bedrock:Retrieve",
      "bedrock:RetrieveAndGenerate", "bedrock:InvokeFlow"};
  if (kModel.contains(action)) return "model-invocation";
  if (kAgent.contains(action)) return "agent-invocation";
  return {};
}

std::string make_text() {
  std::string text(kEntitiesAndContext);
  for (const std::string& action : bedrock::known_iam_actions()) {
    text += "action \"" + action + "\"";
    if (std::string_view group = group_of(action); !group.empty()) {
      text += " in [Action::\"" + std::string(group) + "\"]";
    }
    text +=
        " appliesTo {\n  principal: Workload,\n  resource: BedrockResource,\n  context: "
        "BoundaryContext\n};\n";
  }
  return text;
}

}  // namespace

const std::string& builtin_schema_text() {
  static const std::string text = make_text();
  return text;
}

cedar::Result<cedar::Schema> build_schema(std::optional<std::string_view> bundle_schema,
                                          std::string_view bundle_schema_source) {
  cedar::SchemaBuilder builder;
  if (cedar::Status s = builder.add_cedarschema(builtin_schema_text(), "<built-in schema>");
      !s.ok()) {
    return s.error();
  }
  if (bundle_schema) {
    if (cedar::Status s = builder.add_cedarschema(*bundle_schema, bundle_schema_source); !s.ok()) {
      return s.error();
    }
  }
  if (!builder.declares_common_type("Extra")) {
    if (cedar::Status s = builder.add_cedarschema("type Extra = {};", "<built-in schema>");
        !s.ok()) {
      return s.error();
    }
  }
  return builder.build();
}

}  // namespace crossgate::model
