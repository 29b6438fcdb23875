// Tests of the API operation -> IAM action map and the list of IAM actions it can return.
#include "policy/bedrock/actions.h"

#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <utility>
#include <vector>

namespace crossgate::bedrock {
namespace {

// Every operation crossgate decides on and the action AWS documents for it.
const std::vector<std::pair<std::string, std::string>>& operation_table() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"InvokeModel", "bedrock:InvokeModel"},
      {"InvokeModelWithResponseStream", "bedrock:InvokeModelWithResponseStream"},
      {"InvokeModelWithBidirectionalStream", "bedrock:InvokeModel"},
      {"Converse", "bedrock:InvokeModel"},
      {"ConverseStream", "bedrock:InvokeModelWithResponseStream"},
      {"CountTokens", "bedrock:CountTokens"},
      {"StartAsyncInvoke", "bedrock:InvokeModel"},
      {"GetAsyncInvoke", "bedrock:GetAsyncInvoke"},
      {"ListAsyncInvokes", "bedrock:ListAsyncInvokes"},
      {"ApplyGuardrail", "bedrock:ApplyGuardrail"},
      {"InvokeAgent", "bedrock:InvokeAgent"},
      {"InvokeInlineAgent", "bedrock:InvokeInlineAgent"},
      {"Retrieve", "bedrock:Retrieve"},
      {"RetrieveAndGenerate", "bedrock:RetrieveAndGenerate"},
      {"RetrieveAndGenerateStream", "bedrock:RetrieveAndGenerate"},
      {"InvokeFlow", "bedrock:InvokeFlow"},
  };
  return table;
}

TEST_CASE("API operations map to the IAM action that authorizes them", "[bedrock]") {
  for (const auto& [api, action] : operation_table()) {
    INFO(api);
    CHECK(iam_action_for(api) == action);
  }
}

TEST_CASE("bedrock:-prefixed names map like the bare API names", "[bedrock]") {
  for (const auto& [api, action] : operation_table()) {
    INFO(api);
    CHECK(iam_action_for("bedrock:" + api) == action);
  }
  CHECK(iam_action_for("bedrock:Converse") == "bedrock:InvokeModel");
  CHECK(iam_action_for("bedrock:ConverseStream") == "bedrock:InvokeModelWithResponseStream");
  CHECK(iam_action_for("bedrock:ApplyGuardrail") == "bedrock:ApplyGuardrail");
}

TEST_CASE("unknown or misspelt operations map to nothing", "[bedrock]") {
  for (const char* name : {"",
                           "bedrock:",
                           "converse",
                           "CONVERSE",
                           "bedrock:converse",
                           "Bedrock:Converse",
                           "BEDROCK:InvokeModel",
                           "bedrock-runtime:Converse",
                           "bedrock-agent-runtime:InvokeAgent",
                           "bedrock:*",
                           "*",
                           "bedrock:InvokeModel*",
                           " Converse",
                           "Converse ",
                           "bedrock::Converse",
                           "Rerank",
                           "CreateGuardrail",
                           "GetFoundationModel",
                           "bedrock:CreateModelInvocationJob",
                           "s3:GetObject"}) {
    INFO("name: '" << name << "'");
    CHECK_FALSE(iam_action_for(name).has_value());
  }
}

TEST_CASE("known_iam_actions is sorted, unique and exactly what the map returns", "[bedrock]") {
  const std::vector<std::string>& known = known_iam_actions();
  const std::vector<std::string> expected = {
      "bedrock:ApplyGuardrail",     "bedrock:CountTokens",
      "bedrock:GetAsyncInvoke",     "bedrock:InvokeAgent",
      "bedrock:InvokeFlow",         "bedrock:InvokeInlineAgent",
      "bedrock:InvokeModel",        "bedrock:InvokeModelWithResponseStream",
      "bedrock:ListAsyncInvokes",   "bedrock:Retrieve",
      "bedrock:RetrieveAndGenerate"};
  CHECK(known == expected);
  CHECK(std::is_sorted(known.begin(), known.end()));
  CHECK(std::adjacent_find(known.begin(), known.end()) == known.end());
  for (const auto& [api, action] : operation_table()) {
    INFO(api);
    CHECK(std::find(known.begin(), known.end(), action) != known.end());
  }
  // Each IAM action is its own fixed point: mapping an action gives the action back.
  for (const std::string& action : known) {
    INFO(action);
    CHECK(iam_action_for(action) == action);
  }
  CHECK(&known_iam_actions() == &known);
}

}  // namespace
}  // namespace crossgate::bedrock
