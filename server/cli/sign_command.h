// `crossgate sign`: adds one signer's detached signature to a bundle directory's
// signatures.json, for policy owners (policy bundles) and the platform side (owner
// registries). Exit status: 0 signed, 2 unusable input.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int sign_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
