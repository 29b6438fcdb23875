// `crossgate check` as a library: load and verify a policy bundle and an owner registry
// (exactly as the daemon would, with the same keys and signature counts), then validate
// every policy against the schema, lint the registry, run the bundle's tests and measure
// their policy coverage, into one CheckReport.
//
// Bundle tests (tests/*.yaml) are files of the bundle like any other, so they are in its
// signed file list and its digest: the tests a pipeline ran are provably the ones the
// policy owner signed with the policies, and a bundle with an added or edited test file
// fails verification like one with an edited policy. The daemon loads but never runs them.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/check/check_report.h"
#include "policy/check/waivers.h"
#include "policy/loading/snapshot_loader.h"

namespace crossgate::check {

struct CheckOptions {
  std::filesystem::path bundle;    // a directory or .tar.gz
  std::filesystem::path registry;  // a directory or .tar.gz
  loading::TrustSettings trust;
  std::vector<Waiver> waivers;
  std::optional<double> min_coverage;  // percent
};

struct CheckOutcome {
  CheckReport report;
  std::vector<Waiver> unused_waivers;
};

// An error is unusable input (exit status 2): a source that is missing or does not read,
// a signature that does not verify, a manifest, schema, policy or registry file that does
// not parse. Everything else is in the report.
cedar::Result<CheckOutcome> run_check(const CheckOptions& options, UnixMillis now);

}  // namespace crossgate::check
