// An authorization request: principal, action, resource and context. The uids and the
// context record are views; the caller keeps what they point to alive for the duration
// of the call (e.g. in an Arena it owns).
#pragma once

#include <span>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

struct Entity;

struct Request {
  EntityUid principal;
  EntityUid action;
  EntityUid resource;
  Value context = Value::empty_record();
  // Entities that exist only for this request (e.g. a resource described by the request
  // itself), consulted before the entity store. Their ancestors are positions in the
  // store the request is decided against.
  std::span<const Entity> entities;
};

}  // namespace crossgate::cedar
