// The decision log's chain verifier: logs written by the real DecisionLog (rotated with a
// small rotate_bytes), then tampered with in each way an auditor must see, checking that
// the first problem is named with its file, line and seq.
#include "server/log/chain_verifier.h"

#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy/decision/decision_record.h"
#include "server/log/decision_log.h"
#include "server/log/log_files.h"
#include "tests/support/sanitizers.h"

namespace crossgate::server {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::ContainsSubstring;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("crossgate-chain-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Writes `count` records with the real writer; rotate_bytes > 0 rotates the file.
void write_log(const fs::path& file, int count, std::uint64_t rotate_bytes = 0) {
  LogOptions options{file};
  options.rotate_bytes = rotate_bytes;
  auto log = DecisionLog::open(options);
  REQUIRE(log.ok());
  std::string error;
  for (int i = 1; i <= count; ++i) {
    REQUIRE((*log)->append({{"decision", i % 3 == 0 ? "DENY" : "ALLOW"},
                            {"request_id", "r" + std::to_string(i)},
                            {"reasons", nlohmann::ordered_json::array()}},
                           error));
  }
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

void write_lines(const fs::path& file, const std::vector<std::string>& lines,
                 bool final_newline = true) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << lines[i];
    if (i + 1 < lines.size() || final_newline) out << '\n';
  }
}

ChainVerification verify(const std::vector<fs::path>& files) {
  return verify_chain(files);
}

bool has_note(const ChainVerification& result, const std::string& text) {
  for (const std::string& note : result.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

// A single-file log of 20 records, tampered with by `edit` (lines 0-based).
struct SingleFile {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  std::vector<std::string> lines;
  SingleFile() {
    write_log(file, 20);
    lines = read_lines(file);
    REQUIRE(lines.size() == 20);
  }
  ChainVerification verify_after(bool final_newline = true) {
    write_lines(file, lines, final_newline);
    return verify({file});
  }
  std::string at(int line) const { return file.string() + ":" + std::to_string(line); }
};

TEST_CASE("chain verifier: an intact single-file log verifies, its end against the head file",
          "[chain]") {
  SingleFile log;
  ChainVerification result = verify({log.file});
  INFO(result.problem);
  REQUIRE(result.ok());
  CHECK(result.records == 20);
  CHECK(result.first_seq == 1);
  CHECK(result.last_seq == 20);
  CHECK(result.start_file == log.file);
  REQUIRE(result.head);
  CHECK(result.head->seq == 20);
  CHECK(result.head_file == head_path(log.file));
  CHECK_THAT(result.notes.front(), ContainsSubstring("starts at seq 1 (the start of the log)"));
  CHECK_THAT(result.notes.back(), ContainsSubstring("the last line matches the head file"));
}

TEST_CASE(
    "chain verifier: an intact rotated set verifies across files, head file among them skipped",
    "[chain]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  write_log(file, 40, 600);
  std::vector<fs::path> files = log_chain_files(file);
  REQUIRE(files.size() >= 4);
  ChainVerification result = verify(files);
  INFO(result.problem);
  REQUIRE(result.ok());
  // Each rotated-to file starts with a log-start record, which is in the chain too.
  CHECK(result.records == 40 + (files.size() - 1));
  CHECK(result.first_seq == 1);
  CHECK(result.last_seq == result.records);
  CHECK(result.start_file == files.front());

  // What `decisions.log.* decisions.log` expands to: the head file sorts among the rotated.
  std::vector<fs::path> globbed(files.begin(), files.end() - 1);
  globbed.push_back(head_path(file));
  globbed.push_back(file);
  ChainVerification with_head = verify(globbed);
  INFO(with_head.problem);
  REQUIRE(with_head.ok());
  CHECK(with_head.records == result.records);
  CHECK_THAT(with_head.notes.front(), ContainsSubstring("is a head file: not read as log lines"));
}

TEST_CASE(
    "chain verifier: a log that starts after retention deleted its first files verifies from there",
    "[chain]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  write_log(file, 40, 600);
  std::vector<fs::path> files = log_chain_files(file);
  REQUIRE(files.size() >= 3);
  fs::remove(files.front());
  files.erase(files.begin());
  ChainVerification result = verify(files);
  INFO(result.problem);
  REQUIRE(result.ok());
  CHECK(result.first_seq > 1);
  CHECK(result.start_file == files.front());
  CHECK_THAT(result.notes.front(),
             ContainsSubstring("the chain starts at seq " + std::to_string(result.first_seq)) &&
                 ContainsSubstring("which continues decisions.log.") &&
                 ContainsSubstring("not in the files given"));
}

TEST_CASE("chain verifier: an edited field of a middle line names that line", "[chain][tampered]") {
  SingleFile log;
  std::string& line = log.lines[9];
  line.replace(line.find("\"r10\""), 5, "\"rX0\"");
  ChainVerification result = log.verify_after();
  CHECK(result.problem_kind == ChainProblem::kEdited);
  CHECK(result.problem_file == log.file);
  CHECK(result.problem_line == 10);
  // Verified: the lines before the edited one.
  CHECK(result.records == 9);
  CHECK(result.last_seq == 9);
  CHECK_THAT(result.problem, ContainsSubstring(log.at(10) +
                                               " (seq 10) was edited: its SHA-256 is not the prev "
                                               "of the next line, " +
                                               log.at(11) + " (seq 11)"));
}

TEST_CASE("chain verifier: an edited seq that still chains names that line", "[chain][tampered]") {
  SingleFile log;
  std::string& line = log.lines[9];
  line.replace(0, std::string("{\"seq\":10").size(), "{\"seq\":12");
  ChainVerification result = log.verify_after();
  CHECK(result.problem_kind == ChainProblem::kEdited);
  CHECK(result.problem_line == 10);
  CHECK_THAT(result.problem, ContainsSubstring(log.at(10) +
                                               " was edited: it says seq 12 but is "
                                               "chained to " +
                                               log.at(9) + " (seq 9), so it was seq 10"));
}

TEST_CASE("chain verifier: a line edited to be no record, or not JSON, is named",
          "[chain][tampered]") {
  SingleFile log;
  SECTION("not JSON") {
    log.lines[6] = "this line was overwritten";
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kNotARecord);
    CHECK(result.problem_line == 7);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(7) + " (after seq 6) is not a decision "
                                                             "record: not valid JSON"));
  }
  SECTION("JSON without a seq") {
    log.lines[6] = R"({"decision":"ALLOW","prev":")" + std::string(64, 'a') + "\"}";
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kNotARecord);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(7) + " (after seq 6) is not a decision "
                                                             "record: no \"seq\""));
  }
  SECTION("a negative seq, a short prev, an array, an empty line") {
    log.lines[6] = R"({"seq":-7,"prev":")" + std::string(64, 'a') + "\"}";
    CHECK_THAT(log.verify_after().problem, ContainsSubstring("\"seq\" is not an unsigned integer"));
    log.lines[6] = R"({"seq":7,"prev":"abc"})";
    CHECK_THAT(log.verify_after().problem,
               ContainsSubstring("\"prev\" is not 64 lowercase hex digits"));
    log.lines[6] = "[1,2]";
    CHECK_THAT(log.verify_after().problem, ContainsSubstring("not a JSON object"));
    log.lines[6] = "";
    CHECK_THAT(log.verify_after().problem, ContainsSubstring(log.at(7) + " (after seq 6) is not "
                                                                         "a decision record: an "
                                                                         "empty line"));
  }
}

TEST_CASE("chain verifier: a removed middle line is named as a gap", "[chain][tampered]") {
  SingleFile log;
  log.lines.erase(log.lines.begin() + 9, log.lines.begin() + 11);  // seq 10 and 11
  ChainVerification result = log.verify_after();
  CHECK(result.problem_kind == ChainProblem::kRemoved);
  CHECK(result.problem_line == 10);
  CHECK_THAT(result.problem,
             ContainsSubstring("records 10..11 removed before " + log.at(10) +
                               " (seq 12), which follows " + log.at(9) + " (seq 9)"));
}

TEST_CASE("chain verifier: swapped lines are named as reordered", "[chain][tampered]") {
  SingleFile log;
  SECTION("two neighbours") {
    std::swap(log.lines[9], log.lines[10]);
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kReordered);
    CHECK(result.problem_line == 10);
    CHECK_THAT(result.problem,
               ContainsSubstring("lines reordered: " + log.at(10) + " (seq 11) comes before " +
                                 log.at(11) + " (seq 10)"));
  }
  SECTION("a line moved further down") {
    std::string moved = log.lines[4];  // seq 5, now after seq 12
    log.lines.erase(log.lines.begin() + 4);
    log.lines.insert(log.lines.begin() + 11, moved);
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kReordered);
    CHECK_THAT(result.problem,
               ContainsSubstring("lines reordered: " + log.at(5) + " (seq 6) comes before " +
                                 log.at(12) + " (seq 5)"));
  }
  SECTION("the first line moved down") {
    std::swap(log.lines[0], log.lines[1]);
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kReordered);
    CHECK_THAT(result.problem,
               ContainsSubstring("lines reordered: " + log.at(1) + " (seq 2) comes before " +
                                 log.at(2) + " (seq 1)"));
  }
}

TEST_CASE("chain verifier: a duplicated line is named with its original", "[chain][tampered]") {
  SingleFile log;
  SECTION("further down") {
    log.lines.insert(log.lines.begin() + 12, log.lines[4]);  // seq 5 again, as line 13
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kDuplicated);
    CHECK(result.problem_line == 13);
    CHECK_THAT(result.problem,
               ContainsSubstring(log.at(13) + " (seq 5) duplicates " + log.at(5) + " (seq 5)"));
  }
  SECTION("right after itself") {
    log.lines.insert(log.lines.begin() + 7, log.lines[6]);
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kDuplicated);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(8) +
                                                 " (seq 7) duplicates the line "
                                                 "before it, " +
                                                 log.at(7)));
  }
}

TEST_CASE("chain verifier: a truncated last line is named", "[chain][truncated]") {
  SingleFile log;
  SECTION("bytes cut") {
    log.lines.back().resize(log.lines.back().size() - 10);
    ChainVerification result = log.verify_after(false);
    CHECK(result.problem_kind == ChainProblem::kTruncated);
    CHECK(result.problem_line == 20);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(20) + " (after seq 19) is truncated: the "
                                                              "last line of the file has no "
                                                              "newline"));
  }
  SECTION("only the newline") {
    ChainVerification result = log.verify_after(false);
    CHECK(result.problem_kind == ChainProblem::kTruncated);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(20) + " (seq 20) is truncated"));
  }
}

TEST_CASE(
    "chain verifier: the head file shows records removed from the end and an edited last line",
    "[chain][head]") {
  SingleFile log;
  SECTION("last lines removed") {
    log.lines.resize(17);
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kRemovedAtEnd);
    CHECK(result.problem_line == 17);
    CHECK_THAT(result.problem,
               ContainsSubstring("records 18..20 removed from the end (the head file " +
                                 head_path(log.file).string() + " records seq 20)"));
    // Without the head file, nothing shows: that is what the head file is for.
    fs::remove(head_path(log.file));
    ChainVerification headless = verify({log.file});
    CHECK(headless.ok());
    CHECK(has_note(headless, "no head file beside " + log.file.string()));
  }
  SECTION("last line edited") {
    std::string& line = log.lines.back();
    line.replace(line.find("\"r20\""), 5, "\"rX0\"");
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kEdited);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(20) + " (seq 20), the last line, was "
                                                              "edited"));
  }
  SECTION("a head behind the last line is fine (the daemon stopped before updating it)") {
    std::ofstream(head_path(log.file), std::ios::binary | std::ios::trunc)
        << format_head({18, decision::record_hash(log.lines[17])});
    ChainVerification result = log.verify_after();
    INFO(result.problem);
    CHECK(result.ok());
    CHECK_THAT(result.notes.back(), ContainsSubstring("records seq 18 with its hash, 2 record(s) "
                                                      "before the last line"));
  }
  SECTION("a chain rewritten with recomputed hashes does not match the head") {
    std::ofstream(head_path(log.file), std::ios::binary | std::ios::trunc)
        << format_head({18, decision::record_hash(log.lines[17])});
    std::string& line = log.lines[9];
    line.replace(line.find("\"r10\""), 5, "\"rX0\"");
    for (std::size_t i = 10; i < log.lines.size(); ++i) {
      std::string& next = log.lines[i];
      next.replace(next.size() - 66, 64, decision::record_hash(log.lines[i - 1]));
    }
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kHeadMismatch);
    CHECK(result.problem_line == 18);
    CHECK_THAT(result.problem, ContainsSubstring(log.at(18) + " (seq 18) does not have the hash "
                                                              "that the head file"));
  }
  SECTION("a head file that is not one") {
    std::ofstream(head_path(log.file), std::ios::binary | std::ios::trunc) << "garbage\n";
    ChainVerification result = log.verify_after();
    CHECK(result.problem_kind == ChainProblem::kHeadMismatch);
    CHECK_THAT(result.problem, ContainsSubstring("is not a head file"));
  }
}

TEST_CASE("chain verifier: a first record with seq 1 must point back to the genesis hash",
          "[chain][tampered]") {
  SingleFile log;
  std::string& first = log.lines.front();
  first.replace(first.size() - 66, 64, std::string(64, 'f'));
  ChainVerification result = log.verify_after();
  CHECK(result.problem_kind == ChainProblem::kBadGenesis);
  CHECK_THAT(result.problem, ContainsSubstring(log.at(1) + " (seq 1) was edited: it starts the "
                                                           "log, but its prev is not the genesis "
                                                           "hash"));
}

TEST_CASE("chain verifier: a rotated set with a middle file missing names the removal and the file",
          "[chain][tampered]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  write_log(file, 40, 600);
  std::vector<fs::path> files = log_chain_files(file);
  REQUIRE(files.size() >= 4);
  fs::path missing = files[1];
  std::uint64_t first_missing = read_lines(files[0]).size() + 1;
  std::uint64_t last_missing = first_missing + read_lines(missing).size() - 1;
  files.erase(files.begin() + 1);
  ChainVerification result = verify(files);
  CHECK(result.problem_kind == ChainProblem::kRemoved);
  CHECK(result.problem_file == files[1]);
  CHECK(result.problem_line == 1);
  CHECK_THAT(result.problem,
             ContainsSubstring("records " + std::to_string(first_missing) + ".." +
                               std::to_string(last_missing) + " removed before " +
                               files[1].string() + ":1") &&
                 ContainsSubstring("naming " + missing.filename().string() +
                                   " as the file before it, which is not among the files given"));

  SECTION("files given newest first read as reordered, with a hint") {
    std::vector<fs::path> backwards = {files[1], files[0]};
    ChainVerification reordered = verify(backwards);
    CHECK(reordered.problem_kind == ChainProblem::kReordered);
    CHECK_THAT(reordered.problem, ContainsSubstring("(are the files given oldest first?)"));
  }
}

TEST_CASE("chain verifier: files that cannot be read make the input unusable",
          "[chain][bad-input]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  write_log(file, 3);
  ChainVerification missing = verify({dir.path / "nope.log", file});
  CHECK(missing.unreadable());
  CHECK_THAT(missing.problem, ContainsSubstring("nope.log: No such file or directory"));
  CHECK(verify({dir.path}).unreadable());
  CHECK(verify({}).unreadable());
}

// Peak resident memory of this process, in KiB.

long max_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_CASE("chain verifier: a log of 200k lines is verified streaming: quickly, in little memory",
          "[chain][streaming]") {
  TempDir dir;
  fs::path file = dir.path / "decisions.log";
  constexpr std::uint64_t kLines = 200'000;
  {
    // chain_record, the same line format as the writer, for speed.
    std::ofstream out(file, std::ios::binary);
    nlohmann::ordered_json record = {{"decision", "ALLOW"},
                                     {"request_id", "a-request-id-of-some-length"},
                                     {"reasons", nlohmann::ordered_json::array()},
                                     {"padding", std::string(200, 'x')}};
    std::string previous(decision::kGenesisHash);
    for (std::uint64_t seq = 1; seq <= kLines; ++seq) {
      std::string line = decision::chain_record(record.dump(), seq, previous);
      previous = decision::record_hash(line);
      out << line << '\n';
    }
  }
  REQUIRE(fs::file_size(file) > 50'000'000);
  long before = max_rss_kib();
  ChainVerification result = verify({file});
  INFO(result.problem);
  REQUIRE(result.ok());
  CHECK(result.records == kLines);
  CHECK(result.last_seq == kLines);
  // The file is over 50 MB; holding it (or its lines) would show here. AddressSanitizer
  // quarantines freed memory instead of reusing it, so peak RSS there grows with the
  // total allocated and says nothing about what is held.
  if (!testing::kAddressSanitizer) CHECK(max_rss_kib() - before < 8 * 1024);
}

}  // namespace
}  // namespace crossgate::server
