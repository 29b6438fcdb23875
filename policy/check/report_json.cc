// The JSON report (report_json.h).
#include "policy/check/report_json.h"

namespace crossgate::check {
namespace {

using ordered = nlohmann::ordered_json;

ordered version_json(const decision::VersionInfo& v) {
  return ordered{{"name", v.name},
                 {"revision", v.revision},
                 {"digest", v.digest},
                 {"signed", !v.signer_key_ids.empty()},
                 {"signer_key_ids", v.signer_key_ids}};
}

ordered problems_json(const std::vector<PolicyProblem>& problems) {
  ordered out = ordered::array();
  for (const PolicyProblem& e : problems) {
    out.push_back(
        ordered{{"kind", e.kind}, {"line", e.line}, {"column", e.column}, {"message", e.message}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json report_json(const CheckReport& r) {
  ordered out = ordered::object();
  out["bundle"] = version_json(r.bundle);
  out["registry"] = version_json(r.registry);

  ordered validation = ordered::array();
  for (const PolicyCheck& p : r.policies) {
    validation.push_back(ordered{{"id", p.id},
                                 {"name", p.name},
                                 {"file", p.file},
                                 {"line", p.line},
                                 {"template", p.is_template},
                                 {"errors", problems_json(p.errors)},
                                 {"warnings", problems_json(p.warnings)}});
  }
  out["validation"] = std::move(validation);

  ordered findings = ordered::array();
  for (const Finding& f : r.findings) {
    findings.push_back(ordered{{"rule", f.rule},
                               {"file", f.file},
                               {"line", f.line},
                               {"record", f.record},
                               {"record_id", f.record_id},
                               {"message", f.message},
                               {"waived", f.waived}});
  }
  out["findings"] = std::move(findings);

  ordered tests = ordered::array();
  for (const TestResult& t : r.tests) {
    ordered test =
        ordered{{"file", t.file}, {"line", t.line}, {"name", t.case_name}, {"passed", t.passed}};
    if (!t.passed) test["failure"] = t.failure;
    if (!t.decision.empty()) {
      test["decision"] = t.decision;
      test["reasons"] = t.reasons;
      test["determining_policies"] = t.determining;
    }
    tests.push_back(std::move(test));
  }
  out["tests"] = std::move(tests);

  const Coverage& c = r.coverage;
  out["coverage"] = ordered{{"policies", c.policies},
                            {"covered", c.covered},
                            {"uncovered", c.uncovered},
                            {"percent", c.percent()},
                            {"min_percent", r.min_coverage ? ordered(*r.min_coverage) : ordered()}};

  out["summary"] = ordered{{"policies", r.policies.size()},
                           {"validation_errors", r.validation_errors()},
                           {"validation_warnings", r.validation_warnings()},
                           {"findings", r.failing_findings()},
                           {"waived_findings", r.waived_findings()},
                           {"tests", r.tests.size()},
                           {"tests_failed", r.failed_tests()},
                           {"coverage_below_gate", r.coverage_below_gate()},
                           {"result", r.exit_status() == 0 ? "pass" : "fail"},
                           {"exit_status", r.exit_status()}};
  return out;
}

}  // namespace crossgate::check
