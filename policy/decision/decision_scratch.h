// What one thread reuses from one decision to the next: the Cedar authorizer's buffers and
// the arena of the Cedar request built from each input. With them kept warm, deciding
// allocates nothing for Cedar. A scratch belongs to one thread at a time (the service keeps
// one per request thread; the CLI, the replayer and the bundle tests one per run); it holds
// no result, so any engine may use it, and nothing in it outlives the decide() call.
#pragma once

#include "policy/cedar/authorizer/authorizer.h"
#include "policy/model/request_projection.h"

namespace crossgate::decision {

struct DecisionScratch {
  cedar::Authorizer authorizer;
  model::ProjectedRequest projected;
};

}  // namespace crossgate::decision
