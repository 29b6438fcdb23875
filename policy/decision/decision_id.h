// Decision ids: 26-character ULIDs (48-bit millisecond time, 80 random bits, Crockford
// base32), so that ids sort by time and fit in an STS session name.
#pragma once

#include <string>

#include "policy/common/time.h"

namespace crossgate::decision {

std::string new_decision_id(UnixMillis now);

}  // namespace crossgate::decision
