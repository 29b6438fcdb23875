// The decision log under concurrent appends: many request threads hand records to the one
// writer at once, across rotations, and the chain stays whole (no record lost, duplicated
// or out of order). Built with ThreadSanitizer (scripts/test.sh --tsan), this is also
// where a data race between request threads and the writer would show.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/log/chain_verifier.h"
#include "server/log/decision_log.h"
#include "server/log/log_files.h"

namespace crossgate::server {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path =
        fs::temp_directory_path() / ("crossgate-log-concurrency-" + std::to_string(::getpid()) +
                                     "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

void append_from_threads(DecisionLog& log, int threads, int per_thread,
                         std::atomic<int>& failures) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::string error;
      for (int i = 0; i < per_thread; ++i) {
        nlohmann::ordered_json record = {
            {"decision", i % 2 == 0 ? "ALLOW" : "DENY"}, {"thread", t}, {"i", i}};
        if (!log.append(record, error)) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& worker : workers)
    worker.join();
}

TEST_CASE("concurrent appends are all chained, in one order", "[decision-log][concurrency]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::atomic<int> failures{0};
  {
    auto log = DecisionLog::open(LogOptions{file, Durability::kFsync});
    REQUIRE(log.ok());
    append_from_threads(**log, kThreads, kPerThread, failures);
    CHECK((*log)->records_written() == kThreads * kPerThread);
  }
  CHECK(failures.load() == 0);
  std::vector<fs::path> files = log_chain_files(file);
  ChainVerification verified = verify_chain(files);
  INFO(verified.problem);
  CHECK(verified.ok());
  CHECK(verified.records == kThreads * kPerThread);
  CHECK(verified.first_seq == 1);
  CHECK(verified.last_seq == kThreads * kPerThread);
}

TEST_CASE("concurrent appends across rotations keep the chain whole",
          "[decision-log][concurrency]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  constexpr int kThreads = 6;
  constexpr int kPerThread = 100;
  std::atomic<int> failures{0};
  LogOptions options{file};
  options.rotate_bytes = 8 * 1024;  // a few dozen records per file: many rotations
  {
    auto log = DecisionLog::open(options);
    REQUIRE(log.ok());
    append_from_threads(**log, kThreads, kPerThread, failures);
  }
  CHECK(failures.load() == 0);
  std::vector<fs::path> files = log_chain_files(file);
  CHECK(files.size() > 2);
  ChainVerification verified = verify_chain(files);
  INFO(verified.problem);
  CHECK(verified.ok());
  // Every decision record is there exactly once (the rest are "log-start" records).
  std::set<std::pair<int, int>> seen;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) {
      nlohmann::json record = nlohmann::json::parse(line);
      if (!record.contains("decision")) continue;
      CHECK(seen.insert({record["thread"].get<int>(), record["i"].get<int>()}).second);
    }
  }
  CHECK(seen.size() == kThreads * kPerThread);
}

}  // namespace
}  // namespace crossgate::server
