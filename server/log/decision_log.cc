#include "server/log/decision_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "policy/decision/decision_record.h"

namespace crossgate::server {

DecisionLog::DecisionLog(std::filesystem::path path, int fd, std::uint64_t next_seq,
                         std::string last_hash)
    : path_(std::move(path)), fd_(fd), next_seq_(next_seq), last_hash_(std::move(last_hash)) {}

DecisionLog::~DecisionLog() {
  if (fd_ >= 0) ::close(fd_);
}

cedar::Result<std::unique_ptr<DecisionLog>> DecisionLog::open(const std::filesystem::path& path) {
  // Continue an existing chain: the next record points at the last line's hash.
  std::uint64_t next_seq = 1;
  std::string last_hash(decision::kGenesisHash);
  {
    std::ifstream in(path, std::ios::binary);
    std::string line, last;
    while (std::getline(in, line)) {
      if (!line.empty()) last = line;
    }
    if (!last.empty()) {
      nlohmann::json record = nlohmann::json::parse(last, nullptr, false);
      if (record.is_discarded() || !record.contains("seq") || !record["seq"].is_number_unsigned()) {
        return cedar::Error{path.string() +
                            ": the last line is not a decision record; refusing to extend a log "
                            "whose chain cannot be continued"};
      }
      next_seq = record["seq"].get<std::uint64_t>() + 1;
      last_hash = decision::record_hash(last);
    }
  }
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return cedar::Error{path.string() + ": cannot open the decision log: " + std::strerror(errno)};
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(path, fd, next_seq, std::move(last_hash)));
}

bool DecisionLog::append(const nlohmann::ordered_json& record, std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string line = decision::chain_record(record, next_seq_, last_hash_);
  std::string hash = decision::record_hash(line);
  line += '\n';
  const off_t start = ::lseek(fd_, 0, SEEK_END);
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = path_.string() + ": " + std::strerror(errno);
      // Never leave half a record behind: the chain must stay readable.
      if (done > 0 && start >= 0 && ::ftruncate(fd_, start) != 0)
        error += " (and truncating failed)";
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  ++next_seq_;
  last_hash_ = std::move(hash);
  ++written_;
  return true;
}

std::uint64_t DecisionLog::records_written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return written_;
}

}  // namespace crossgate::server
