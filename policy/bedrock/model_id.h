// Foundation model ids ("anthropic.claude-3-5-sonnet-20240620-v1:0") and system-defined
// (cross-Region) inference profile ids ("us.anthropic.claude-..."): their syntax and their
// split into geography, provider and model. Private to policy/bedrock.
#pragma once

#include <string>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::bedrock::internal {

struct ModelIdParts {
  std::string geography;  // system profiles only: "us", "eu", "apac", ...
  std::string provider;   // "anthropic"
  std::string model;      // "claude-3-5-sonnet-20240620-v1:0"
};

// Whether `geography` is the prefix of a system-defined inference profile that AWS
// publishes: us, eu, apac, us-gov, global, jp, au.
bool is_known_profile_geography(std::string_view geography);

// Whether a bare id names a system profile rather than a foundation model: its text before
// the first '.' is a known geography (no model provider is named after one).
bool has_known_geography_prefix(std::string_view id);

cedar::Result<ModelIdParts> parse_foundation_model_id(std::string_view id);

// `id` is GEOGRAPHY.PROVIDER.MODEL. With `require_known_geography` (bare ids, where the
// prefix is the only thing that tells a profile from a model) the geography must be a known
// one; otherwise (an inference-profile ARN, whose type already says what it is) any
// geography of AWS's shape [a-z-]{2,8} is accepted, so a newly launched geography is not
// refused.
cedar::Result<ModelIdParts> parse_system_profile_id(std::string_view id,
                                                    bool require_known_geography);

}  // namespace crossgate::bedrock::internal
