// Where the decision log lives on disk: the active file, the rotated files beside it
// (`<name>.<UTC time>`, which sort in the order they were written), and the head file
// (`<name>.head`) that remembers the last record written, so that removing records from
// the end of the log is as visible as editing them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/common/time.h"

namespace crossgate::server {

// "decisions.log.20261127T183445.123Z" for the active path "decisions.log".
std::filesystem::path rotated_name(const std::filesystem::path& active, UnixMillis at);

// The rotated files of `active`, oldest first, then `active` itself if it exists: the
// whole chain in order.
std::vector<std::filesystem::path> log_chain_files(const std::filesystem::path& active);

std::filesystem::path head_path(const std::filesystem::path& active);

struct LogHead {
  std::uint64_t seq = 0;
  std::string hash;
};

// The head file is one fixed-size line, rewritten in place after every batch:
// {"seq":N,"hash":"<64 hex>"} padded with spaces. nullopt when absent or unreadable.
std::optional<LogHead> read_head(const std::filesystem::path& active);
std::string format_head(const LogHead& head);
inline constexpr std::size_t kHeadBytes = 128;

}  // namespace crossgate::server
