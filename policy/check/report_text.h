// The readable form of a check report (the default output of `crossgate check`): what was
// checked, every problem with its file and line, and a last line saying PASS or FAIL and why.
#pragma once

#include <ostream>

#include "policy/check/check_report.h"

namespace crossgate::check {

void write_text_report(std::ostream& out, const CheckReport& report);

}  // namespace crossgate::check
