// Loading, verifying and checking a bundle with its registry (checker.h).
#include "policy/check/checker.h"

#include "policy/check/bundle_tests.h"
#include "policy/check/coverage.h"
#include "policy/check/policy_validation.h"
#include "policy/check/registry_lint.h"
#include "policy/check/test_cases.h"

namespace crossgate::check {

cedar::Result<CheckOutcome> run_check(const CheckOptions& options, UnixMillis now) {
  // The files are read once: what is verified is exactly what is validated and tested.
  cedar::Result<bundle::BundleFiles> bundle_files = bundle::read_bundle_source(options.bundle);
  if (!bundle_files.ok()) return cedar::Error{"the policy bundle: " + bundle_files.message()};
  cedar::Result<bundle::BundleFiles> registry_files = bundle::read_bundle_source(options.registry);
  if (!registry_files.ok()) {
    return cedar::Error{"the owner registry: " + registry_files.message()};
  }
  cedar::Result<loading::LoadedPolicyBundle> bundle = loading::load_policy_bundle(
      *bundle_files, options.trust, now, policy_bundle::PolicyValidation::kLoadInvalid);
  if (!bundle.ok()) return cedar::Error{"the policy bundle: " + bundle.message()};
  cedar::Result<loading::LoadedRegistry> registry =
      loading::load_owner_registry(*registry_files, options.trust, now);
  if (!registry.ok()) return cedar::Error{"the owner registry: " + registry.message()};
  cedar::Result<std::shared_ptr<const decision::DecisionEngine>> engine =
      loading::make_engine(*bundle, *registry);
  if (!engine.ok()) return cedar::Error{"the bundle with the registry: " + engine.message()};

  CheckOutcome out;
  CheckReport& report = out.report;
  report.bundle = bundle->version;
  report.registry = registry->version;
  report.min_coverage = options.min_coverage;

  cedar::Result<std::vector<PolicyCheck>> policies =
      validate_bundle_policies(*bundle_files, bundle->bundle->schema);
  if (!policies.ok()) return cedar::Error{"the policy bundle: " + policies.message()};
  report.policies = std::move(policies.value());

  report.findings =
      lint_registry(*registry->registry, *registry_files, bundle->bundle->manifest, *bundle_files);
  out.unused_waivers = apply_waivers(report.findings, options.waivers);

  TestSuite suite = read_test_cases(bundle->bundle->test_files, bundle_files->origin);
  report.tests = run_bundle_tests(**engine, suite);
  report.coverage = compute_coverage(report.policies, report.tests);
  return out;
}

}  // namespace crossgate::check
