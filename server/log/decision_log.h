// The decision log: every decision's record (policy/decision/decision_record.h), one JSON
// line each, chained by hash, written before the answer leaves.
//
// Durability here is "process": the line is in the file (a write(2) has returned) before
// append() returns, so a crash of the daemon loses nothing it answered. Opening an
// existing log continues its chain from the last line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "policy/cedar/common/result.h"

namespace crossgate::server {

class DecisionLog {
 public:
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  static cedar::Result<std::unique_ptr<DecisionLog>> open(const std::filesystem::path& path);

  // Chains and writes the record. False when it could not be written (the caller must
  // then not give the answer the record was for); `error` says why.
  bool append(const nlohmann::ordered_json& record, std::string& error);

  std::uint64_t records_written() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  DecisionLog(std::filesystem::path path, int fd, std::uint64_t next_seq, std::string last_hash);

  std::filesystem::path path_;
  mutable std::mutex mutex_;
  int fd_;
  std::uint64_t next_seq_;
  std::string last_hash_;
  std::uint64_t written_ = 0;
};

}  // namespace crossgate::server
