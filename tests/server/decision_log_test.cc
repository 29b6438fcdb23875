// The decision log: lines chained by hash, a reopened log continuing its chain, records
// answered from the writer once in the file, and a log file removed under the daemon.
#include "server/log/decision_log.h"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "policy/decision/decision_record.h"

namespace crossgate::server {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("crossgate-log-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

TEST_CASE("records are chained, and a reopened log continues the chain", "[decision-log]") {
  TempDir dir;
  fs::path file = dir.path / "sub" / "decisions.log";
  std::string error;
  {
    auto log = DecisionLog::open(LogOptions{file});
    REQUIRE(log.ok());
    REQUIRE((*log)->append({{"decision", "ALLOW"}}, error));
    REQUIRE((*log)->append({{"decision", "DENY"}}, error));
    CHECK((*log)->records_written() == 2);
  }
  {
    auto log = DecisionLog::open(LogOptions{file});
    REQUIRE(log.ok());
    REQUIRE((*log)->append({{"decision", "ALLOW"}}, error));
  }
  std::vector<std::string> lines = lines_of(file);
  REQUIRE(lines.size() == 3);
  std::string previous(decision::kGenesisHash);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    nlohmann::json record = nlohmann::json::parse(lines[i]);
    CHECK(record["seq"] == i + 1);
    CHECK(record["prev"] == previous);
    previous = decision::record_hash(lines[i]);
  }
}

TEST_CASE("a log whose last line is not a record is not extended", "[decision-log][bad-input]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  std::ofstream(file) << "{\"seq\":1,\"prev\":\"00\"}\nnot json\n";
  auto log = DecisionLog::open(LogOptions{file});
  REQUIRE_FALSE(log.ok());
  CHECK_THAT(log.message(),
             Catch::Matchers::ContainsSubstring("last line is not a decision record"));
}

// Tells which thread ran written(), and what the file held then.
class ObservedWrite final : public DecisionLog::Write {
 public:
  struct Seen {
    std::atomic<bool> done{false};
    std::thread::id thread;
    bool ok = false;
    std::size_t lines_in_file = 0;
  };
  ObservedWrite(std::string record, fs::path file, Seen& seen)
      : file_(std::move(file)), seen_(seen) {
    records = std::move(record) + "\n";
  }
  void written(bool ok, const std::string&) override {
    seen_.thread = std::this_thread::get_id();
    seen_.ok = ok;
    seen_.lines_in_file = lines_of(file_).size();
    seen_.done.store(true);
    seen_.done.notify_one();
  }

 private:
  fs::path file_;
  Seen& seen_;
};

TEST_CASE("a submitted record is written by the writer, before written() runs", "[decision-log]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  for (Durability durability : {Durability::kProcess, Durability::kFsync}) {
    auto log = DecisionLog::open(LogOptions{file, durability});
    REQUIRE(log.ok());
    ObservedWrite::Seen seen;
    (*log)->submit(std::make_unique<ObservedWrite>(R"({"decision":"ALLOW"})", file, seen));
    seen.done.wait(false);
    // Not on the submitting (gRPC) thread, and only once the line is in the file.
    CHECK(seen.thread != std::this_thread::get_id());
    CHECK(seen.ok);
    CHECK(seen.lines_in_file == (durability == Durability::kProcess ? 1u : 2u));
  }
}

TEST_CASE("a log file removed under the log is started again, continuing the chain",
          "[decision-log]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  auto log = DecisionLog::open(LogOptions{file});
  REQUIRE(log.ok());
  std::string error;
  REQUIRE((*log)->append({{"decision", "ALLOW"}}, error));
  std::string first = lines_of(file).at(0);
  fs::remove(file);
  REQUIRE((*log)->append({{"decision", "DENY"}}, error));
  // The record did not vanish into the removed file: a new file holds it, chained on.
  std::vector<std::string> lines = lines_of(file);
  REQUIRE(lines.size() == 1);
  nlohmann::json record = nlohmann::json::parse(lines[0]);
  CHECK(record["seq"] == 2);
  CHECK(record["prev"] == decision::record_hash(first));
}

}  // namespace
}  // namespace crossgate::server
