#include "server/cli/serve_command.h"

#include <iostream>
#include <string>

#include "server/config/server_config.h"
#include "server/daemon/daemon.h"

namespace crossgate::cli {

int serve_command(std::span<const std::string_view> args) {
  constexpr const char* kUsage = R"(usage: crossgate serve --config FILE

Runs the decision daemon: gRPC crossgate.v1.DecisionService, grpc.health.v1 and server
reflection, on the configured address. SIGHUP reloads the policy bundle and the owner
registry; SIGTERM drains the calls in flight and exits 0. Exit status 2: the
configuration or a file it names cannot be used (the message says which and where).
)";
  std::string config_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = std::string(args[++i]);
    } else {
      std::cerr << "crossgate serve: unexpected argument `" << args[i] << "`\n" << kUsage;
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "crossgate serve: --config is required\n" << kUsage;
    return 2;
  }
  cedar::Result<server::ServerConfig> config = server::load_server_config(config_path);
  if (!config.ok()) {
    std::cerr << "crossgate serve: " << config.message() << "\n";
    return 2;
  }
  return server::run_daemon(*config);
}

}  // namespace crossgate::cli
