// Bundle tests: the `tests/*.yaml` files of a policy bundle, each a list of requests with
// the decision the bundle's owner expects. A case names the verified identity rather than
// carrying a token (tokens expire; a test must decide the same next year), with the field
// names of the decision record's "principal", "gateway" and "request", so that a recorded
// decision can be turned into a test case:
//
//   time: 2026-11-27T12:00:00Z            # optional default for the cases below
//   cases:
//     - name: claims assistant may call Claude in the GenAI account
//       time: 2026-11-27T12:00:00Z        # when the request is decided (RFC 3339)
//       principal:                        # what identity verification established
//         evidence: jwt-svid              # none|jwt-svid|oidc|x509-svid|aws-session
//         verified: true                  # default true
//         spiffe_id: spiffe://example.org/ns/claims/sa/assistant
//         # issuer, subject, repository_id, environment, workflow (oidc); role_arn,
//         # source_identity, session_name, session_tags (aws-session); issued_at,
//         # not_before, expires_at; failure, lifetime_failure (verified: false)
//       gateway: {spiffe_id: ..., trusted_asserter: false}   # optional
//       request:                          # as AuthorizeRequest carries it
//         api: Converse                   # Bedrock API or IAM action
//         resource: us.anthropic.claude-3-5-sonnet-20240620-v1:0
//         source_account: "111122223333"
//         source_region: us-east-1
//         target_account: "444455556666"
//         target_region: us-east-1
//         # data_classification, emergency_grant_id, call_chain: [{workload, kind}],
//         # context: {...} (the extra attributes)
//       expect:
//         decision: ALLOW                 # ALLOW or DENY
//         reasons: []                     # optional: the reason codes, as a set
//         determining: [claims-assistant-may-invoke-anthropic]  # optional: @id or id, a set
//
// Unknown keys are refused, like everywhere else, so a misspelt expectation cannot pass.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/decision/decision_input.h"

namespace crossgate::check {

struct TestCase {
  std::string file;  // "<origin>/tests/x.yaml"
  int line = 0;
  std::string name;
  decision::DecisionInput input;
  std::string expect_decision;  // "ALLOW" or "DENY"
  std::optional<std::vector<std::string>> expect_reasons;
  std::optional<std::vector<std::string>> expect_determining;
};

// A case or a whole file that could not be read: where, and why ("file:line:column: ...").
struct TestCaseError {
  std::string file;
  int line = 0;
  std::string name;  // the case's name when it has one
  std::string message;
};

struct TestSuite {
  std::vector<TestCase> cases;
  std::vector<TestCaseError> errors;
};

// `test_files` maps "tests/x.yaml" to its text (PolicyBundle::test_files); `origin` is the
// bundle's directory or archive, for messages. Files in path order, cases in file order.
TestSuite read_test_cases(const std::map<std::string, std::string>& test_files,
                          const std::string& origin);

}  // namespace crossgate::check
