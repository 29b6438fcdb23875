// `crossgate authorize`: one Cedar decision from files, for trying policies by hand and
// for scripts. Exit status: 0 ALLOW, 1 DENY, 2 unusable input.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int authorize_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
