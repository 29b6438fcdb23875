// Deciding bundle test cases and comparing the outcome (bundle_tests.h).
#include "policy/check/bundle_tests.h"

#include <algorithm>
#include <set>

namespace crossgate::check {
namespace {

std::string list_text(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items)
    out += (out.size() > 1 ? ", " : "") + item;
  return out + "]";
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

// Expected determining policies may name a policy by its @id or by its id.
bool same_policies(const std::vector<std::string>& expected,
                   const std::vector<decision::PolicyRef>& actual) {
  if (expected.size() != actual.size()) return false;
  std::multiset<std::string> wanted(expected.begin(), expected.end());
  for (const decision::PolicyRef& p : actual) {
    auto it = wanted.find(p.name);
    if (it == wanted.end()) it = wanted.find(p.id);
    if (it == wanted.end()) return false;
    wanted.erase(it);
  }
  return true;
}

TestResult run_case(const decision::DecisionEngine& engine, decision::DecisionScratch& scratch,
                    const TestCase& c) {
  TestResult r;
  r.file = c.file;
  r.line = c.line;
  r.case_name = c.name;
  cedar::Result<decision::Decision> decided = engine.decide(c.input, scratch);
  if (!decided.ok()) {
    r.failure = "the request is refused as malformed: " + decided.message();
    return r;
  }
  const decision::Decision& d = *decided;
  r.decision = d.allow ? "ALLOW" : "DENY";
  r.reasons = d.reasons;
  for (const decision::PolicyRef& p : d.determining) {
    r.determining.push_back(p.name.empty() ? p.id : p.name);
    r.determining_ids.push_back(p.id);
  }

  std::vector<std::string> diffs;
  if (r.decision != c.expect_decision) {
    diffs.push_back("decision: expected " + c.expect_decision + ", got " + r.decision);
  }
  if (c.expect_reasons && sorted(*c.expect_reasons) != sorted(r.reasons)) {
    diffs.push_back("reasons: expected " + list_text(sorted(*c.expect_reasons)) + ", got " +
                    list_text(sorted(r.reasons)));
  }
  if (c.expect_determining && !same_policies(*c.expect_determining, d.determining)) {
    diffs.push_back("determining policies: expected " + list_text(sorted(*c.expect_determining)) +
                    ", got " + list_text(sorted(r.determining)));
  }
  r.passed = diffs.empty();
  for (const std::string& diff : diffs)
    r.failure += (r.failure.empty() ? "" : "\n") + diff;
  // Why the engine decided as it did, when that is not what was expected.
  if (!r.passed) {
    for (const std::string& note : d.notes)
      r.failure += "\n  note: " + note;
  }
  return r;
}

}  // namespace

std::vector<TestResult> run_bundle_tests(const decision::DecisionEngine& engine,
                                         const TestSuite& suite) {
  std::vector<TestResult> out;
  decision::DecisionScratch scratch;
  for (const TestCase& c : suite.cases)
    out.push_back(run_case(engine, scratch, c));
  for (const TestCaseError& e : suite.errors) {
    TestResult r;
    r.file = e.file;
    r.line = e.line;
    r.case_name = e.name;
    r.failure = "unreadable test case: " + e.message;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace crossgate::check
