// `crossgate log` (see log_command.h).
#include "server/cli/log_command.h"

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "server/log/chain_verifier.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage = R"(usage: crossgate log verify FILE...

commands:
  verify   check the hash chain of decision log files

Run `crossgate log verify --help` for what it checks and its exit status.
)";

constexpr const char* kVerifyUsage = R"(usage: crossgate log verify FILE...

Checks the hash chain of the decision log across FILE..., in the order given: rotated files
oldest first, then the active file. In a shell,
  crossgate log verify decisions.log.[0-9]* decisions.log
gives that order (rotated files are named after their UTC rotation time, which sorts as
written); a head file among the files (decisions.log.* matches decisions.log.head) is
skipped. Every line must end with a newline and be a JSON record whose "seq" is one more
than the line before's and whose "prev" is that line's SHA-256. The chain may start at any
seq (older files may have been deleted by retention), but when it starts at seq 1 its prev
must be the genesis hash. When the last file has a head file beside it (FILE.head), records
removed from the end and an edited last line show too; without it they cannot.

Prints "ok: N records, seq A..B, chain intact", or "TAMPERED: " and the first problem with
its file, line and seq: an edited line, records removed, lines reordered or duplicated, a
line that is not a record, a truncated last line, records removed from the end. Notes
follow (where the chain starts, what the end was compared with).
Verify a stopped log or copies: a batch being written can show as a truncated last line.
Exit status: 0 chain intact, 1 tampered or truncated, 2 unusable input (a file that cannot
be read, no files, bad usage).
)";

int verify(std::span<const std::string_view> args) {
  std::vector<std::filesystem::path> files;
  bool options_done = false;
  for (std::string_view arg : args) {
    if (!options_done && (arg == "--help" || arg == "-h")) {
      std::cout << kVerifyUsage;
      return 0;
    }
    if (!options_done && arg == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && arg.starts_with("-")) {
      std::cerr << "crossgate log verify: unknown option `" << arg << "`\n" << kVerifyUsage;
      return 2;
    }
    files.emplace_back(arg);
  }
  if (files.empty()) {
    std::cerr << "crossgate log verify: no files given\n" << kVerifyUsage;
    return 2;
  }
  server::ChainVerification result = server::verify_chain(files);
  if (result.unreadable()) {
    std::cerr << "crossgate log verify: " << result.problem << "\n";
    return 2;
  }
  if (result.ok()) {
    std::cout << "ok: " << result.records << " records";
    if (result.records > 0) std::cout << ", seq " << result.first_seq << ".." << result.last_seq;
    std::cout << ", chain intact\n";
  } else {
    std::cout << "TAMPERED: " << result.problem << "\n";
    if (result.records > 0) {
      std::cout << "note: " << result.records << " records verified before it (seq "
                << result.first_seq << ".." << result.last_seq << ")\n";
    }
  }
  for (const std::string& note : result.notes) {
    std::cout << "note: " << note << "\n";
  }
  return result.ok() ? 0 : 1;
}

}  // namespace

int log_command(std::span<const std::string_view> args) {
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "verify") return verify(args.subspan(1));
  std::cerr << "crossgate log: unknown command `" << args[0] << "`\n" << kUsage;
  return 2;
}

}  // namespace crossgate::cli
