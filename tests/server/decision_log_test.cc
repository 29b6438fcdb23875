// The decision log: lines chained by hash, and a reopened log continuing its chain.
#include "server/log/decision_log.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>
#include <string>
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

}  // namespace
}  // namespace crossgate::server
