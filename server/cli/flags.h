// The command line's options, parsed the same way by every command: `--name VALUE`,
// switches, and lists (`--log A B C`, up to the next `--option`).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crossgate::cli {

struct ValueFlag {
  std::string_view name;
  std::string* value;
};

struct SwitchFlag {
  std::string_view name;
  bool* on;
};

// Takes every following argument up to the next one starting with "--" (at least one).
struct ListFlag {
  std::string_view name;
  std::vector<std::string>* values;
};

struct Flags {
  std::span<const ValueFlag> values;
  std::span<const SwitchFlag> switches = {};
  std::span<const ListFlag> lists = {};
};

// Stores `args` into `flags`. Returns the first problem, worded for the user (e.g.
// "unexpected or incomplete argument `--bogus`"), or nullopt when every argument was taken.
// `--help` and `-h` set *help, when given, and end the parse.
std::optional<std::string> parse_flags(std::span<const std::string_view> args, const Flags& flags,
                                       bool* help = nullptr);

}  // namespace crossgate::cli
