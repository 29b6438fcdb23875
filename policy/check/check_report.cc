// The counts and the verdict of a check report (check_report.h).
#include "policy/check/check_report.h"

#include <algorithm>

namespace crossgate::check {

std::size_t CheckReport::failing_findings() const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return !f.waived; }));
}

std::size_t CheckReport::waived_findings() const {
  return findings.size() - failing_findings();
}

std::size_t CheckReport::validation_errors() const {
  std::size_t n = 0;
  for (const PolicyCheck& p : policies)
    n += p.errors.size();
  return n;
}

std::size_t CheckReport::validation_warnings() const {
  std::size_t n = 0;
  for (const PolicyCheck& p : policies)
    n += p.warnings.size();
  return n;
}

std::size_t CheckReport::failed_tests() const {
  return static_cast<std::size_t>(
      std::count_if(tests.begin(), tests.end(), [](const TestResult& t) { return !t.passed; }));
}

bool CheckReport::coverage_below_gate() const {
  // Compared in whole hundredths so that 2 of 3 (66.67 %) passes a gate of 66.67.
  return min_coverage.has_value() && static_cast<long long>(coverage.percent() * 100.0 + 0.5) <
                                         static_cast<long long>(*min_coverage * 100.0 + 0.5);
}

int CheckReport::exit_status() const {
  bool clean = failing_findings() == 0 && validation_errors() == 0 && failed_tests() == 0 &&
               !coverage_below_gate();
  return clean ? 0 : 1;
}

}  // namespace crossgate::check
