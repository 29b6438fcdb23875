// `crossgate check`: what a CI pipeline runs on a policy bundle (with the owner registry)
// before it is published: signature verification, schema validation of every policy,
// registry lint, the bundle's own tests and their policy coverage (policy/check/).
// Exit status: 0 clean, 1 findings, validation errors, failing tests or coverage below
// the gate, 2 unusable input.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int check_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
