// `crossgate serve`: the long-running decision service. Loads the configuration, the key
// sets, the decision log and the active snapshot, serves gRPC (the decision service,
// health checking, reflection), reloads on SIGHUP, and on SIGTERM or SIGINT stops taking
// calls, lets the ones in flight finish, and exits 0.
#pragma once

#include "server/config/server_config.h"

namespace crossgate::server {

// Returns the process exit status: 0 after a clean shutdown, 2 when the configuration or
// its files cannot be used.
int run_daemon(const ServerConfig& config);

}  // namespace crossgate::server
