// `crossgate eval`: one decision, without the daemon, against a policy bundle and owner
// registry, printing the answer and the decision record. For pipelines and for people
// debugging a policy. Exit status: 0 ALLOW, 1 DENY, 2 unusable input.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int eval_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
