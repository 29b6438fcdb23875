// The JUnit XML form of a check report (`crossgate check --junit FILE`), which CI systems
// (GitHub Actions test reporters, GitLab, Jenkins) show per test. Three test suites:
//
//   validation    a test case per policy and template; a failure per validation error
//   lint          a test case per lint rule; a failure listing the rule's findings
//                 (waived findings alone make the case skipped, with their list)
//   bundle tests  a test case per bundle test case, and "policy coverage" when a
//                 --min-coverage gate is set
//
// Every text is XML-escaped, and characters XML 1.0 cannot hold are replaced.
#pragma once

#include <string>

#include "policy/check/check_report.h"

namespace crossgate::check {

std::string junit_xml(const CheckReport& report);

// `text` made safe for XML character data and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace crossgate::check
