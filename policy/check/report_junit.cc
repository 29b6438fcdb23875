// The JUnit XML report (report_junit.h).
#include "policy/check/report_junit.h"

#include <cstdio>
#include <map>
#include <vector>

#include "policy/check/registry_lint.h"

namespace crossgate::check {
namespace {

struct Case {
  std::string classname;
  std::string name;
  std::string file;
  int line = 0;
  std::vector<std::pair<std::string, std::string>> failures;  // type, text
  std::string skipped;                                        // message when skipped
};

struct Suite {
  std::string name;
  std::vector<Case> cases;
  std::size_t failures() const {
    std::size_t n = 0;
    for (const Case& c : cases)
      n += c.failures.empty() ? 0 : 1;
    return n;
  }
  std::size_t skipped() const {
    std::size_t n = 0;
    for (const Case& c : cases)
      n += c.failures.empty() && !c.skipped.empty() ? 1 : 0;
    return n;
  }
};

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string at(const std::string& file, int line, int column = 0) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (line > 0 && column > 0) out += ":" + std::to_string(column);
  return out;
}

Suite validation_suite(const CheckReport& r) {
  Suite s{"validation", {}};
  for (const PolicyCheck& p : r.policies) {
    Case c;
    c.classname = "validation";
    c.name = p.name == p.id ? p.id : p.name + " (" + p.id + ")";
    c.file = p.file;
    c.line = p.line;
    for (const PolicyProblem& e : p.errors) {
      c.failures.emplace_back(e.kind, at(p.file, e.line != 0 ? e.line : p.line, e.column) + ": " +
                                          e.kind + ": " + e.message);
    }
    s.cases.push_back(std::move(c));
  }
  return s;
}

std::string finding_text(const Finding& f) {
  return at(f.file, f.line) + ": " + f.record + ": " + f.message;
}

Suite lint_suite(const CheckReport& r, const std::vector<std::string>& rules) {
  Suite s{"lint", {}};
  for (const std::string& rule : rules) {
    Case c;
    c.classname = "lint";
    c.name = rule;
    std::string failing, waived;
    for (const Finding& f : r.findings) {
      if (f.rule != rule) continue;
      (f.waived ? waived : failing) += finding_text(f) + "\n";
    }
    for (std::string* text : {&failing, &waived}) {
      if (!text->empty()) text->pop_back();  // the last newline
    }
    if (!failing.empty()) c.failures.emplace_back(rule, failing);
    if (!waived.empty()) c.skipped = "waived: " + waived;
    s.cases.push_back(std::move(c));
  }
  return s;
}

std::string percent_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", value);
  return buffer;
}

Suite test_suite(const CheckReport& r) {
  Suite s{"bundle tests", {}};
  for (const TestResult& t : r.tests) {
    Case c;
    std::size_t slash = t.file.rfind('/');
    c.classname =
        "bundle tests." + (slash == std::string::npos ? t.file : t.file.substr(slash + 1));
    c.name = t.case_name.empty() ? "(unreadable)" : t.case_name;
    c.file = t.file;
    c.line = t.line;
    if (!t.passed) c.failures.emplace_back("failed", t.failure);
    s.cases.push_back(std::move(c));
  }
  if (r.min_coverage) {
    Case c;
    c.classname = "bundle tests";
    c.name = "policy coverage";
    if (r.coverage_below_gate()) {
      std::string text = "coverage " + percent_text(r.coverage.percent()) + " is below " +
                         percent_text(*r.min_coverage) + "; not covered:";
      for (const std::string& name : r.coverage.uncovered)
        text += "\n  " + name;
      c.failures.emplace_back("coverage", text);
    }
    s.cases.push_back(std::move(c));
  }
  return s;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        // XML 1.0 cannot hold other control characters, not even as references.
        if (c < 0x20 || c == 0x7f) {
          out += "?";
        } else {
          out += ch;
        }
    }
  }
  return out;
}

std::string junit_xml(const CheckReport& r) {
  std::vector<Suite> suites = {validation_suite(r), lint_suite(r, lint_rule_ids()), test_suite(r)};
  std::size_t tests = 0, failures = 0, skipped = 0;
  for (const Suite& s : suites) {
    tests += s.cases.size();
    failures += s.failures();
    skipped += s.skipped();
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"crossgate check\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
         std::to_string(skipped) + "\">\n";
  for (const Suite& s : suites) {
    out += "  <testsuite name=\"" + xml_escape(s.name) + "\" tests=\"" +
           std::to_string(s.cases.size()) + "\" failures=\"" + std::to_string(s.failures()) +
           "\" errors=\"0\" skipped=\"" + std::to_string(s.skipped()) + "\">\n";
    for (const Case& c : s.cases) {
      out += "    <testcase classname=\"" + xml_escape(c.classname) + "\" name=\"" +
             xml_escape(c.name) + "\"";
      if (!c.file.empty()) out += " file=\"" + xml_escape(c.file) + "\"";
      if (c.line > 0) out += " line=\"" + std::to_string(c.line) + "\"";
      if (c.failures.empty() && c.skipped.empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      for (const auto& [type, text] : c.failures) {
        out += "      <failure type=\"" + xml_escape(type) + "\" message=\"" +
               xml_escape(first_line(text)) + "\">" + xml_escape(text) + "</failure>\n";
      }
      if (c.failures.empty()) {
        out += "      <skipped message=\"" + xml_escape(c.skipped) + "\"/>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace crossgate::check
