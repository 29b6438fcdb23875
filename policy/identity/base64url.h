// Strict base64url decoding (RFC 4648 section 5) as JWS and JWK use it (RFC 7515 section 2):
// the URL-safe alphabet, no padding, no whitespace, and no stray bits in the last
// character, so that every byte string has exactly one accepted encoding.
#pragma once

#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::identity {

// The decoded bytes, or why `text` is not canonical unpadded base64url ("padding ('=') is
// not allowed", "invalid character at offset 7", ...). The message never quotes `text`.
cedar::Result<std::string> base64url_decode(std::string_view text);

}  // namespace crossgate::identity
