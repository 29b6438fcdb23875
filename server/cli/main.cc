// The crossgate command line. Each subcommand lives in its own file.
#include <iostream>
#include <string_view>
#include <vector>

#include "server/cli/authorize_command.h"
#include "server/cli/check_command.h"
#include "server/cli/eval_command.h"
#include "server/cli/health_command.h"
#include "server/cli/log_command.h"
#include "server/cli/replay_command.h"
#include "server/cli/serve_command.h"
#include "server/cli/sign_command.h"

namespace {

constexpr const char* kUsage = R"(usage: crossgate <command> [options]

commands:
  serve       run the decision daemon (gRPC) with a configuration file
  eval        decide one request as the daemon would, and print the decision record
  replay      decide recorded decisions again with a candidate bundle: what would change
  check       CI checks of a bundle and registry: signatures, validation, lint, bundle tests
  sign        add a signature to a bundle directory's signatures.json
  authorize   decide one plain Cedar request from policy, entity and request files
  health      ask a running daemon whether it is SERVING (grpc.health.v1; for probes)
  log         verify the decision log's hash chain: `crossgate log verify FILE...`
              (exit status 0 intact, 1 tampered or truncated, 2 unusable input)

Run `crossgate <command> --help` for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string_view command = argv[1];
  std::vector<std::string_view> args(argv + 2, argv + argc);
  if (command == "serve") return crossgate::cli::serve_command(args);
  if (command == "eval") return crossgate::cli::eval_command(args);
  if (command == "replay") return crossgate::cli::replay_command(args);
  if (command == "check") return crossgate::cli::check_command(args);
  if (command == "authorize") return crossgate::cli::authorize_command(args);
  if (command == "sign") return crossgate::cli::sign_command(args);
  if (command == "log") return crossgate::cli::log_command(args);
  if (command == "health") return crossgate::cli::health_command(args);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "crossgate: unknown command `" << command << "`\n" << kUsage;
  return 2;
}
