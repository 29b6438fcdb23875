// The decision log: every decision's record (policy/decision/decision_record.h), one JSON
// line each, chained by hash, written before the answer leaves.
//
// Request threads serialise their records and submit them to one writer thread through a
// lock-free queue; the writer chains the records (seq and prev), writes everything queued
// as one batch with one write(2), syncs it when the durability asks for it, and then tells
// each submitter (Write::written). A gRPC reactor submits and returns at once, and answers
// from written(), so no request thread waits for the disk and, under load, each batch
// carries many calls' records. append() is the waiting form, for tools and tests.
//
// Durability:
//   process  written() runs (and append() returns) once the batch is in the file (write(2)
//            returned): a crash of the daemon loses nothing it answered.
//   fsync    written() runs once the batch is on disk (fdatasync(2) returned): a crash of
//            the machine loses nothing answered. Records that arrive while a sync runs form
//            the next batch (group commit), so syncs are shared.
//
// Fail closed: when a batch cannot be written (disk full, I/O error) every record in it
// fails, nothing of it stays in the file, and the caller must deny (LOG_UNAVAILABLE). The
// next batch tries again, reopening the file if it was removed, so the log recovers by
// itself when writing works again.
//
// Rotation: when the active file reaches `rotate_bytes` or `rotate_age`, it is renamed to
// `<name>.<UTC time>` and a new file starts whose first line is a "log-start" record
// naming its predecessor, chained to the predecessor's last record. Rotated files beyond
// `retain_files` are deleted, oldest first.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "policy/cedar/common/result.h"
#include "server/metrics/metrics.h"

namespace crossgate::server {

enum class Durability : std::uint8_t { kProcess, kFsync };

struct LogOptions {
  std::filesystem::path path;
  Durability durability = Durability::kProcess;
  std::uint64_t rotate_bytes = 0;      // 0: never by size
  std::chrono::seconds rotate_age{0};  // 0: never by age
  std::uint32_t retain_files = 0;      // rotated files kept; 0: all
};

// Optional instruments the log updates.
struct LogMetrics {
  metrics::Counter* records = nullptr;
  metrics::Counter* bytes = nullptr;
  metrics::Counter* write_failures = nullptr;
  metrics::Counter* rotations = nullptr;
  metrics::Histogram* sync_seconds = nullptr;
  metrics::Histogram* batch_records = nullptr;
};

class DecisionLog {
 public:
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  // Continues the chain of an existing log (its last record, in the active file or the
  // newest rotated one). Refuses a log whose last line is not a record.
  static cedar::Result<std::unique_ptr<DecisionLog>> open(LogOptions options,
                                                          LogMetrics metrics = {});

  // Records on their way to the file, and what to do once they are there. Derive from it.
  class Write {
   public:
    virtual ~Write() = default;
    // The records, each one JSON object (decision::record_json) on a line of its own ending
    // in '\n'. They are written as consecutive lines of one batch: all land or all fail.
    std::string records;
    // Runs on the writer thread once the records are in the file (`ok`), or could not be
    // written (`error` says why), in which case the answers they were for must not be given.
    // The log destroys the Write when it returns. The next batch waits for it: keep it short.
    virtual void written(bool ok, const std::string& error) = 0;

   private:
    friend class DecisionLog;
    Write* next_ = nullptr;
  };

  // Queues `write` and returns at once. Thread-safe.
  void submit(std::unique_ptr<Write> write);

  // Chains and writes the record, and waits for it; false (with `error`) when it could not
  // be written, in which case the caller must not give the answer the record was for.
  // Thread-safe. `record_json` is one JSON object (decision::record_json).
  bool append(std::string record_json, std::string& error);
  bool append(const nlohmann::ordered_json& record, std::string& error);

  std::uint64_t records_written() const { return written_.load(std::memory_order_relaxed); }
  const std::filesystem::path& path() const { return options_.path; }

 private:
  struct State;
  DecisionLog(LogOptions options, LogMetrics metrics);

  void run();
  void write_batch(Write* first);
  bool ensure_open(std::string& error);
  void maybe_rotate();
  void enforce_retention();
  void update_head();

  LogOptions options_;
  LogMetrics metrics_;
  std::unique_ptr<State> state_;
  std::atomic<Write*> queue_{nullptr};
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> written_{0};
  std::thread writer_;
};

}  // namespace crossgate::server
