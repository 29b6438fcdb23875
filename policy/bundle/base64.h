// Standard base64 (RFC 4648 section 4, with padding) for the signatures in signatures.json.
// Decoding is strict — no whitespace, no missing padding, no stray bits — so one signature
// has exactly one textual form and a malformed file is reported rather than half-read.
#pragma once

#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::bundle {

std::string base64_encode(std::string_view bytes);

// The decoded bytes, or why `text` is not canonical padded base64.
cedar::Result<std::string> base64_decode(std::string_view text);

}  // namespace crossgate::bundle
