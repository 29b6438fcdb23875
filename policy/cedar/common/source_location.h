// Positions in policy and schema text, for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crossgate::cedar {

struct SourceLoc {
  std::uint32_t line = 0;    // 1-based; 0 when unknown
  std::uint32_t column = 0;  // 1-based, counted in bytes
};

// "file:line:column: message", or "file: message" when the position is unknown.
inline std::string format_at(std::string_view source, SourceLoc loc, std::string_view message) {
  std::string out(source.empty() ? std::string_view("<input>") : source);
  if (loc.line != 0) {
    out += ':' + std::to_string(loc.line) + ':' + std::to_string(loc.column);
  }
  out += ": ";
  out += message;
  return out;
}

}  // namespace crossgate::cedar
