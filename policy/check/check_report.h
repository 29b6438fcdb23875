// What `crossgate check` found in a policy bundle and an owner registry, in one value that
// the report writers (text, JSON, JUnit) print and that decides the exit status: registry
// and bundle lint findings, schema validation of every policy, the bundle's own tests, and
// which policies those tests reach.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/decision/decision_engine.h"

namespace crossgate::check {

// One lint finding: a record of the registry (or the bundle's manifest) that breaks an
// accountability rule. `record_id` is what a waiver names (--waive RULE=RECORD_ID).
struct Finding {
  std::string rule;       // "registry/duplicate-identity"
  std::string file;       // the file holding the record, as loaded ("<origin>/workloads.yaml")
  int line = 0;           // 1-based line of the record; 0 when unknown
  std::string record;     // "workload `reporting-adhoc`"
  std::string record_id;  // "reporting-adhoc"
  std::string message;
  bool waived = false;  // listed, but does not fail the check
};

struct PolicyProblem {
  std::string kind;  // the validator's kind name, e.g. "UnrecognizedEntityType"
  int line = 0;
  int column = 0;
  std::string message;
};

// One policy or template of the bundle and what validation said about it.
struct PolicyCheck {
  std::string id;    // "invocation.cedar:policy0"
  std::string name;  // the @id annotation, else the id
  std::string file;  // "<origin>/policies/invocation.cedar"
  int line = 0;
  bool is_template = false;
  std::vector<PolicyProblem> errors;
  std::vector<PolicyProblem> warnings;  // e.g. ImpossiblePolicy: never fails the check
};

// One bundle test case (or an unreadable test file, with `case_name` empty).
struct TestResult {
  std::string file;  // "<origin>/tests/invocation.yaml"
  int line = 0;
  std::string case_name;
  bool passed = false;
  std::string failure;  // the diff (expected vs actual), or why the case could not run
  // What the engine decided (empty when the case could not run).
  std::string decision;
  std::vector<std::string> reasons;
  std::vector<std::string> determining;      // policy names (@id, else id)
  std::vector<std::string> determining_ids;  // the same policies' ids, for coverage
};

struct Coverage {
  std::size_t policies = 0;            // static policies: templates without links never determine
  std::vector<std::string> covered;    // names made determining by at least one case
  std::vector<std::string> uncovered;  // names no case made determining
  double percent() const {
    return policies == 0
               ? 100.0
               : 100.0 * static_cast<double>(covered.size()) / static_cast<double>(policies);
  }
};

struct CheckReport {
  decision::VersionInfo bundle;
  decision::VersionInfo registry;
  std::vector<Finding> findings;
  std::vector<PolicyCheck> policies;
  std::vector<TestResult> tests;
  Coverage coverage;
  std::optional<double> min_coverage;  // --min-coverage, when given

  std::size_t failing_findings() const;
  std::size_t waived_findings() const;
  std::size_t validation_errors() const;
  std::size_t validation_warnings() const;
  std::size_t failed_tests() const;
  bool coverage_below_gate() const;
  // 0 when nothing fails, 1 otherwise (2, unusable input, never gets this far).
  int exit_status() const;
};

}  // namespace crossgate::check
