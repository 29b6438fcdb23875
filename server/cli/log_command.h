// `crossgate log verify FILE...`: proves to an auditor that decision log files were not
// edited, truncated, or had records removed, reordered or duplicated, by checking their hash
// chain (server/log/chain_verifier.h). Exit status: 0 intact, 1 tampered or truncated,
// 2 unusable input.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int log_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
