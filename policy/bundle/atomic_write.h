// Replacing a file so that readers (a daemon watching the bundle directory, a concurrent
// `tar`) see the old content or the new, never a truncated file: write a temporary file
// beside it, flush it to disk, then rename it over the target.
#pragma once

#include <filesystem>
#include <string_view>

#include "policy/cedar/common/result.h"

namespace crossgate::bundle {

// Errors name `target`. The temporary file is removed on failure.
cedar::Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace crossgate::bundle
