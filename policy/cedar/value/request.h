// An authorization request: principal, action, resource and context. The uids and the
// context record are views; the caller keeps what they point to alive for the duration
// of the call (e.g. in an Arena it owns).
#pragma once

#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

struct Request {
  EntityUid principal;
  EntityUid action;
  EntityUid resource;
  Value context = Value::empty_record();
};

}  // namespace crossgate::cedar
