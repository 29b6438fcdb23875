// Policy coverage of the bundle tests: which static policies some test case made
// determining (the policies a decision names as the reason for its outcome). A policy no
// case reaches can change without any test noticing. Templates are not counted: without
// links they never take part in a decision.
#pragma once

#include <vector>

#include "policy/check/check_report.h"

namespace crossgate::check {

Coverage compute_coverage(const std::vector<PolicyCheck>& policies,
                          const std::vector<TestResult>& tests);

}  // namespace crossgate::check
