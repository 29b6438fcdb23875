// Between the wire (crossgate.v1 messages) and the decision library's types. Requests are
// checked here for what the wire alone can tell (exactly one kind of evidence, sizes,
// timestamps); the engine checks the rest.
#pragma once

#include <string>

#include "crossgate/v1/decision.pb.h"
#include "policy/cedar/common/result.h"
#include "policy/decision/decision_engine.h"
#include "policy/decision/decision_input.h"

namespace crossgate::server {

cedar::Result<decision::DecisionRequest> from_proto(const crossgate::v1::AuthorizeRequest& request);

void to_proto(const decision::Decision& decision, const decision::DecisionInput& input,
              const decision::DecisionEngine& engine, crossgate::v1::AuthorizeResponse& out);

// Turns an answer built by to_proto into a DENY for LOG_UNAVAILABLE (added after the
// decision's own reasons): its record could not be written, so the decision is not given.
void deny_for_log_unavailable(crossgate::v1::AuthorizeResponse& answer);

}  // namespace crossgate::server
