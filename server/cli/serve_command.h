// `crossgate serve --config FILE`: runs the decision daemon.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int serve_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
