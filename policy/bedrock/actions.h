// Bedrock API operations and the IAM actions that authorize them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crossgate::bedrock {

// Maps a Bedrock API name or an IAM action to the IAM action policies are written
// against: "Converse" and "bedrock:Converse" -> "bedrock:InvokeModel";
// "ConverseStream" -> "bedrock:InvokeModelWithResponseStream"; "InvokeModel" ->
// "bedrock:InvokeModel"; "bedrock:ApplyGuardrail" stays as it is. Accepts the runtime,
// agent-runtime and async operations (InvokeModel, InvokeModelWithResponseStream,
// InvokeModelWithBidirectionalStream, Converse, ConverseStream, CountTokens,
// StartAsyncInvoke, GetAsyncInvoke, ListAsyncInvokes, ApplyGuardrail, InvokeAgent,
// InvokeInlineAgent, Retrieve, RetrieveAndGenerate, RetrieveAndGenerateStream, InvokeFlow).
// nullopt for anything else.
std::optional<std::string> iam_action_for(std::string_view api_or_action);

// Every IAM action that iam_action_for can return, sorted; the built-in schema declares
// exactly these.
const std::vector<std::string>& known_iam_actions();

}  // namespace crossgate::bedrock
