// The shared option parser of the command line.
#include "server/cli/flags.h"

namespace crossgate::cli {

std::optional<std::string> parse_flags(std::span<const std::string_view> args, const Flags& flags,
                                       bool* help) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (help != nullptr && (arg == "--help" || arg == "-h")) {
      *help = true;
      return std::nullopt;
    }
    bool taken = false;
    for (const SwitchFlag& flag : flags.switches) {
      if (arg == flag.name) *flag.on = taken = true;
    }
    for (const ListFlag& flag : flags.lists) {
      if (arg != flag.name) continue;
      const std::size_t before = flag.values->size();
      while (i + 1 < args.size() && !args[i + 1].starts_with("--"))
        flag.values->emplace_back(args[++i]);
      if (flag.values->size() == before) return std::string(arg) + " needs at least one value";
      taken = true;
    }
    for (const ValueFlag& flag : flags.values) {
      if (arg != flag.name || i + 1 >= args.size()) continue;
      *flag.value = std::string(args[++i]);
      taken = true;
      break;
    }
    if (!taken) return "unexpected or incomplete argument `" + std::string(arg) + "`";
  }
  return std::nullopt;
}

}  // namespace crossgate::cli
