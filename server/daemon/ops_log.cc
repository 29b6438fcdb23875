#include "server/daemon/ops_log.h"

#include <cstdio>
#include <mutex>
#include <string>

#include "policy/common/time.h"

namespace crossgate::server {

void ops_log(Level level, std::string_view message) {
  static std::mutex mutex;
  const char* name = level == Level::kInfo      ? "info"
                     : level == Level::kWarning ? "WARNING"
                                                : "ERROR";
  std::string line =
      format_rfc3339(now_millis()) + " crossgate " + name + ": " + std::string(message) + "\n";
  std::lock_guard<std::mutex> lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace crossgate::server
