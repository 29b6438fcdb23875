#include "server/log/log_files.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace crossgate::server {

namespace fs = std::filesystem;

fs::path rotated_name(const fs::path& active, UnixMillis at) {
  // 2026-11-27T18:34:45.123Z -> 20261127T183445.123Z: sortable, and no ':' in file names.
  std::string stamp;
  for (char c : format_rfc3339(at)) {
    if (c != '-' && c != ':') stamp += c;
  }
  return fs::path(active.string() + "." + stamp);
}

std::vector<fs::path> log_chain_files(const fs::path& active) {
  std::vector<fs::path> out;
  fs::path dir = active.has_parent_path() ? active.parent_path() : fs::path(".");
  std::string prefix = active.filename().string() + ".";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    // Rotated files carry a timestamp that starts with a digit; `.head` and temporary
    // files do not.
    if (entry.is_regular_file() && name.size() > prefix.size() && name.starts_with(prefix) &&
        std::isdigit(static_cast<unsigned char>(name[prefix.size()]))) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  if (fs::exists(active, ec)) out.push_back(active);
  return out;
}

fs::path head_path(const fs::path& active) {
  return fs::path(active.string() + ".head");
}

std::string format_head(const LogHead& head) {
  std::string line = "{\"seq\":" + std::to_string(head.seq) + ",\"hash\":\"" + head.hash + "\"}";
  line.resize(kHeadBytes - 1, ' ');
  return line + "\n";
}

std::optional<LogHead> read_head(const fs::path& active) {
  std::ifstream in(head_path(active));
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.contains("seq") || !json["seq"].is_number_unsigned() ||
      !json.contains("hash") || !json["hash"].is_string()) {
    return std::nullopt;
  }
  return LogHead{json["seq"].get<std::uint64_t>(), json["hash"].get<std::string>()};
}

}  // namespace crossgate::server
