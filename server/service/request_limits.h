// Bounds on what one decision request may carry, shared by every front end that builds one
// (crossgate.v1 Authorize and AuthorizeBatch, Envoy's ext_authz Check): a hostile request is
// refused before any work, and the same evidence is bounded alike whichever way it came.
#pragma once

#include <cstddef>

#include "policy/identity/compact_jws.h"

namespace crossgate::server {

// A token longer than the verifier would parse is refused as the request is read.
inline constexpr std::size_t kMaxTokenBytes = identity::kMaxTokenBytes;
// Any single string fact, hop, session field or tag key and value.
inline constexpr std::size_t kMaxFieldBytes = 2048;
// Tags of an asserted AWS session (STS allows 50 per session).
inline constexpr std::size_t kMaxSessionTags = 64;

}  // namespace crossgate::server
