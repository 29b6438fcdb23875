// Verifying a decision log's hash chain (`crossgate log verify`): proof for an auditor that
// the records in a set of log files were not edited, removed, reordered or duplicated since
// the daemon wrote them (policy/decision/decision_record.h has the record format,
// server/log/decision_log.h the writer).
//
// The files are given in chain order: rotated files oldest first, then the active file. In
// a shell, `decisions.log.[0-9]* decisions.log` gives that order (rotated names end in a UTC
// time stamp, which sorts as it was written); a given file that is the head file of another
// given file (`decisions.log.head`, which `decisions.log.*` matches) is compared, not
// chained.
//
// What is checked, line by line, streaming (only the previous line's seq and hash are kept,
// however long the log):
//   - every line ends with a newline, and is a JSON object with an unsigned "seq" (>= 1)
//     and a "prev" of 64 lowercase hex digits;
//   - each seq is the previous line's + 1 and each prev is the SHA-256 of the previous line;
//   - the chain may start anywhere (earlier files may have been deleted by retention), but
//     a chain that starts at seq 1 must point back to the genesis hash;
//   - when the last file has a head file beside it (server/log/log_files.h), the head's seq
//     must not be past the last line, and the record with the head's seq must have the
//     head's hash. A head behind the last line is fine: the daemon stopped between writing
//     a batch and updating the head.
// The last record of a set without a head file can be edited, and records removed from
// its end, without a trace: only the head file (or a copy of it kept elsewhere) shows that.
//
// The first problem, in file order, is diagnosed and named with its file, line (1-based)
// and seq; an edited line is named as the line whose content changed (the one before the
// line whose prev no longer matches).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/log/log_files.h"

namespace crossgate::server {

enum class ChainProblem : std::uint8_t {
  kNone,
  kUnreadable,    // a file cannot be read: nothing can be said about the chain
  kNotARecord,    // a line is not JSON, or has no valid "seq" or "prev"
  kTruncated,     // the last line of a file has no newline
  kEdited,        // a line's content changed after the next line was chained to it
  kBadGenesis,    // seq 1 does not point back to the genesis hash
  kRemoved,       // a gap in seq
  kReordered,     // a seq that belongs earlier
  kDuplicated,    // a seq already seen
  kRemovedAtEnd,  // the head file records a later seq than the last line
  kHeadMismatch,  // the record with the head's seq has another hash than the head's
};

struct ChainVerification {
  ChainProblem problem_kind = ChainProblem::kNone;
  // What is wrong, in a sentence that names file, line and seq ("" when intact).
  std::string problem;
  // Where the problem shows: the line named first in `problem` (0 when no line is).
  std::filesystem::path problem_file;
  std::uint64_t problem_line = 0;

  // Records verified (when there is a problem: before it).
  std::uint64_t records = 0;
  // The seq range verified; 0 when there are no records.
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  // The file whose first line starts the verified chain.
  std::filesystem::path start_file;
  // The head file compared with the last file, if there was one.
  std::optional<std::filesystem::path> head_file;
  std::optional<LogHead> head;
  // Facts an auditor should know even when the chain is intact: where it starts, whether
  // its end could be checked, files skipped.
  std::vector<std::string> notes;

  bool ok() const { return problem_kind == ChainProblem::kNone; }
  bool unreadable() const { return problem_kind == ChainProblem::kUnreadable; }
};

// Verifies the chain across `files`, in the order given.
ChainVerification verify_chain(std::span<const std::filesystem::path> files);

}  // namespace crossgate::server
