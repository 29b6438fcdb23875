// Strict JSON reading for every JSON input the engine takes (entities, contexts,
// requests, JSON schemas): duplicate object keys and excessive nesting are refused, and
// errors say where.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::cedar {

inline constexpr int kMaxJsonDepth = 64;

// "source: line L, column C: message" on malformed input, a duplicate key, or nesting
// deeper than `max_depth`.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view source,
                                  int max_depth = kMaxJsonDepth);

// "string", "number", "object", ... for messages.
std::string_view json_type_name(const nlohmann::json& value);

}  // namespace crossgate::cedar
