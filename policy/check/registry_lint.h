// Lint of the owner registry (and the accountability fields of the policy bundle's
// manifest): records that load, and that the guardrails would deny at request time, but
// that a pipeline should catch before they are published. Each rule has an id:
//
//   registry/duplicate-identity      an identity (SPIFFE ID, role, OIDC subject or GitHub
//                                    repository+environment+workflow) on two workloads
//   registry/workload-without-owner  a workload with no identity_owner
//   registry/account-without-owner   an account with no platform_owner
//   registry/unknown-owner           an owner id missing from owners.yaml (when it has any)
//   bundle/without-owner             a policy bundle with no policy_owner
//   registry/trust-without-approver  a trust record with no approved_by
//   registry/trust-without-expiry    a trust record with no expires_at
//   registry/grant-too-long          an emergency grant longer than the bundle's
//                                    max_emergency_window_seconds (default 4 h, the design's)
//   registry/grant-unapproved        an emergency grant with no approved_by
//   registry/grant-self-approved     an emergency grant approved by its requester
//   registry/unknown-workload        a trust record or grant naming no registered workload
//   registry/unknown-account         a trust record or grant naming no registered account
//
// The rules need no clock: a pipeline's verdict does not change with the day it runs.
#pragma once

#include <string>
#include <vector>

#include "policy/bundle/bundle_source.h"
#include "policy/check/check_report.h"
#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry.h"

namespace crossgate::check {

// Every rule id above, in that order.
const std::vector<std::string>& lint_rule_ids();

// Findings in file order: manifest, workloads, accounts, trust, grants. `registry_files`
// and `bundle_files` are the files the two were loaded from (for lines and names).
std::vector<Finding> lint_registry(const registry::OwnerRegistry& registry,
                                   const bundle::BundleFiles& registry_files,
                                   const policy_bundle::PolicyBundleManifest& bundle_manifest,
                                   const bundle::BundleFiles& bundle_files);

}  // namespace crossgate::check
