// The text report (report_text.h).
#include "policy/check/report_text.h"

#include <cstdio>
#include <string>

namespace crossgate::check {
namespace {

std::string percent_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", value);
  return buffer;
}

std::string at(const std::string& file, int line, int column = 0) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (line > 0 && column > 0) out += ":" + std::to_string(column);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

void version(std::ostream& out, const char* label, const decision::VersionInfo& v) {
  out << "  " << label << v.name << " revision " << v.revision << " digest " << v.digest;
  if (v.signer_key_ids.empty()) {
    out << " (UNSIGNED)";
  } else {
    out << " (signed by " << v.signer_key_ids.size()
        << (v.signer_key_ids.size() == 1 ? " key)" : " keys)");
  }
  out << "\n";
}

void policy_problem(std::ostream& out, const PolicyCheck& p, const PolicyProblem& e,
                    const char* label) {
  out << "  " << label << at(p.file, e.line != 0 ? e.line : p.line, e.line != 0 ? e.column : 0)
      << ": policy " << p.name << (p.name == p.id ? "" : " (" + p.id + ")") << ": " << e.kind
      << ": " << e.message << "\n";
}

}  // namespace

void write_text_report(std::ostream& out, const CheckReport& r) {
  out << "crossgate check\n";
  version(out, "bundle    ", r.bundle);
  version(out, "registry  ", r.registry);

  std::size_t templates = 0;
  for (const PolicyCheck& p : r.policies)
    templates += p.is_template ? 1 : 0;
  out << "\nvalidation: " << r.policies.size() - templates << " policies"
      << (templates > 0 ? " and " + std::to_string(templates) + " templates" : "") << ", "
      << r.validation_errors() << " errors, " << r.validation_warnings() << " warnings\n";
  for (const PolicyCheck& p : r.policies) {
    for (const PolicyProblem& e : p.errors)
      policy_problem(out, p, e, "error: ");
    for (const PolicyProblem& e : p.warnings)
      policy_problem(out, p, e, "warning: ");
  }

  out << "\nlint: " << r.findings.size() << " findings";
  if (r.waived_findings() > 0) out << " (" << r.waived_findings() << " waived)";
  out << "\n";
  for (const Finding& f : r.findings) {
    out << "  " << (f.waived ? "waived: " : "") << f.rule << "  " << at(f.file, f.line) << "  "
        << f.record << ": " << f.message << "\n";
  }

  out << "\nbundle tests: " << r.tests.size() << " cases, " << r.tests.size() - r.failed_tests()
      << " passed, " << r.failed_tests() << " failed\n";
  if (r.tests.empty()) out << "  (the bundle has no tests/*.yaml)\n";
  for (const TestResult& t : r.tests) {
    if (t.passed) continue;
    out << "  FAIL " << at(t.file, t.line) << "  "
        << (t.case_name.empty() ? "(unreadable)" : t.case_name) << "\n";
    std::string failure = t.failure;
    std::size_t start = 0;
    while (start <= failure.size()) {
      std::size_t end = failure.find('\n', start);
      if (end == std::string::npos) end = failure.size();
      out << "       " << failure.substr(start, end - start) << "\n";
      start = end + 1;
    }
  }

  const Coverage& c = r.coverage;
  out << "\ncoverage: " << c.covered.size() << " of " << c.policies
      << " policies determined a test decision (" << percent_text(c.percent()) << ")";
  if (r.min_coverage) out << ", gate " << percent_text(*r.min_coverage);
  out << "\n";
  if (!c.uncovered.empty()) out << "  not covered: " << join(c.uncovered) << "\n";

  std::vector<std::string> why;
  if (r.validation_errors() > 0)
    why.push_back(std::to_string(r.validation_errors()) + " validation errors");
  if (r.failing_findings() > 0)
    why.push_back(std::to_string(r.failing_findings()) + " lint findings");
  if (r.failed_tests() > 0) why.push_back(std::to_string(r.failed_tests()) + " failing tests");
  if (r.coverage_below_gate()) {
    why.push_back("coverage " + percent_text(c.percent()) + " below " +
                  percent_text(*r.min_coverage));
  }
  out << "\nresult: " << (why.empty() ? "PASS" : "FAIL: " + join(why)) << "\n";
}

}  // namespace crossgate::check
