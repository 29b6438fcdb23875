// Schema validation of every policy and template of a bundle, in Cedar's strict mode,
// against the built-in schema extended by the bundle's own. The bundle's PolicySet cannot
// show templates without links, so the policy files are parsed again here, with the ids
// the bundle loader gives them ("<file>:policy<N>").
#pragma once

#include <vector>

#include "policy/bundle/bundle_source.h"
#include "policy/cedar/common/result.h"
#include "policy/cedar/schema/schema.h"
#include "policy/check/check_report.h"

namespace crossgate::check {

// One PolicyCheck per policy and template, in file and position order. An error only when
// a policy file does not parse (the loader would have refused the bundle already).
cedar::Result<std::vector<PolicyCheck>> validate_bundle_policies(const bundle::BundleFiles& files,
                                                                 const cedar::Schema& schema);

}  // namespace crossgate::check
