// Running bundle test cases (test_cases.h) against the bundle and registry being checked:
// each case is decided by the real DecisionEngine, at the case's time, exactly as the
// daemon would decide a request with that verified identity, and compared with what the
// case expects. A failing case says what differs.
#pragma once

#include <vector>

#include "policy/check/check_report.h"
#include "policy/check/test_cases.h"
#include "policy/decision/decision_engine.h"

namespace crossgate::check {

// One result per case, then one per unreadable case or file (failed, with its message).
std::vector<TestResult> run_bundle_tests(const decision::DecisionEngine& engine,
                                         const TestSuite& suite);

}  // namespace crossgate::check
