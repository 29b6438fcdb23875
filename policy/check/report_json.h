// The JSON form of a check report (`crossgate check --format json`): one document with the
// bundle and registry versions, the validation of each policy, the lint findings, the test
// results, the coverage and a summary with the result and the exit status.
#pragma once

#include <nlohmann/json.hpp>

#include "policy/check/check_report.h"

namespace crossgate::check {

nlohmann::ordered_json report_json(const CheckReport& report);

}  // namespace crossgate::check
