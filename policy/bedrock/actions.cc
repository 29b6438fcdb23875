// The IAM action each Bedrock API operation crossgate decides on needs.
//
// Sources: the Bedrock API reference states the action for the operations whose IAM action
// differs from their name ("This operation requires permission for the bedrock:InvokeModel
// action" on Converse, InvokeModelWithBidirectionalStream and StartAsyncInvoke;
// bedrock:InvokeModelWithResponseStream on ConverseStream; bedrock:RetrieveAndGenerate on
// RetrieveAndGenerateStream). The others are IAM actions of the same name in the Service
// Authorization Reference for Amazon Bedrock: bedrock:CountTokens, bedrock:GetAsyncInvoke,
// bedrock:ListAsyncInvokes, bedrock:ApplyGuardrail, bedrock:InvokeAgent,
// bedrock:InvokeInlineAgent, bedrock:Retrieve, bedrock:RetrieveAndGenerate,
// bedrock:InvokeFlow. There is no bedrock:Converse, bedrock:ConverseStream,
// bedrock:StartAsyncInvoke or bedrock:RetrieveAndGenerateStream IAM action; callers that
// write the API name with the service prefix still get the action that authorizes it, so a
// policy is never evaluated against an action IAM does not have.
#include "policy/bedrock/actions.h"

#include <algorithm>
#include <array>

namespace crossgate::bedrock {
namespace {

struct Operation {
  std::string_view api;         // as AWS spells the operation
  std::string_view iam_action;  // without the "bedrock:" prefix
};

constexpr std::array<Operation, 16> kOperations = {{
    // bedrock-runtime
    {"InvokeModel", "InvokeModel"},
    {"InvokeModelWithResponseStream", "InvokeModelWithResponseStream"},
    {"InvokeModelWithBidirectionalStream", "InvokeModel"},
    {"Converse", "InvokeModel"},
    {"ConverseStream", "InvokeModelWithResponseStream"},
    {"CountTokens", "CountTokens"},
    {"StartAsyncInvoke", "InvokeModel"},
    {"GetAsyncInvoke", "GetAsyncInvoke"},
    {"ListAsyncInvokes", "ListAsyncInvokes"},
    {"ApplyGuardrail", "ApplyGuardrail"},
    // bedrock-agent-runtime
    {"InvokeAgent", "InvokeAgent"},
    {"InvokeInlineAgent", "InvokeInlineAgent"},
    {"Retrieve", "Retrieve"},
    {"RetrieveAndGenerate", "RetrieveAndGenerate"},
    {"RetrieveAndGenerateStream", "RetrieveAndGenerate"},
    {"InvokeFlow", "InvokeFlow"},
}};

constexpr std::string_view kServicePrefix = "bedrock:";

}  // namespace

std::optional<std::string> iam_action_for(std::string_view api_or_action) {
  std::string_view name = api_or_action;
  if (name.starts_with(kServicePrefix)) name.remove_prefix(kServicePrefix.size());
  for (const Operation& operation : kOperations) {
    if (operation.api == name)
      return std::string(kServicePrefix) + std::string(operation.iam_action);
  }
  return std::nullopt;
}

const std::vector<std::string>& known_iam_actions() {
  static const std::vector<std::string> actions = [] {
    std::vector<std::string> all;
    for (const Operation& operation : kOperations) {
      all.push_back(std::string(kServicePrefix) + std::string(operation.iam_action));
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }();
  return actions;
}

}  // namespace crossgate::bedrock
