// The daemon's own operational messages (not decisions): one line each on stderr, with
// the time and a level, so that a service manager or log collector can keep them.
#pragma once

#include <string_view>

namespace crossgate::server {

enum class Level { kInfo, kWarning, kError };

void ops_log(Level level, std::string_view message);

}  // namespace crossgate::server
