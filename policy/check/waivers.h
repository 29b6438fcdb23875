// Waivers: lint findings a team has accepted on purpose (e.g. the example registry's
// shared role, kept to show SHARED_IDENTITY). A waived finding is still reported, marked
// waived, but does not fail the check. Waivers live in the pipeline's command line, in
// review like the rest of it, never in the bundle or registry they excuse.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/check/check_report.h"

namespace crossgate::check {

struct Waiver {
  std::string rule;       // "registry/duplicate-identity"
  std::string record_id;  // empty: every finding of the rule
};

// "RULE" or "RULE=RECORD_ID"; nullopt when RULE is not a known rule id.
std::optional<Waiver> parse_waiver(std::string_view text);

// Marks the findings the waivers match; returns the waivers that matched nothing (a stale
// waiver is worth a warning: the record it excused changed).
std::vector<Waiver> apply_waivers(std::vector<Finding>& findings,
                                  const std::vector<Waiver>& waivers);

}  // namespace crossgate::check
