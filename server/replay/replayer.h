// Impact analysis of a candidate policy bundle: decision records (one JSON object per line,
// policy/decision/decision_record.h) are decided again with a candidate DecisionEngine and
// compared with what was recorded, so that a pipeline can see which decisions a deploy
// would change before it happens.
//
// Logs are read one line at a time and only a bounded number of changes is kept (every
// change is counted), so memory does not grow with the log: production logs have millions
// of lines. Each record is decided at its own recorded time, so trust records, emergency
// grants and credential lifetimes are judged as they were then.
//
// Every decision record replayed ends up in exactly one of: unchanged, ALLOW -> DENY,
// DENY -> ALLOW, reasons changed (same decision, other reason codes) or now refused (the
// candidate finds the request malformed; for a recorded ALLOW that is a lost ALLOW, as bad
// as ALLOW -> DENY). Lines that are not JSON or not a decision record are unreadable;
// records without a "decision" field (the "log-start" line of a rotated log) are skipped.
// Reasons the service adds while serving (LOG_UNAVAILABLE, STALE_POLICY) are not the
// policy's, so they are left out of the comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/decision/decision_engine.h"
#include "policy/decision/decision_scratch.h"

namespace crossgate::server {

struct ReplayOptions {
  std::size_t max_listed = 100;            // changes kept per kind; all are counted
  std::size_t max_unreadable_listed = 10;  // locations of unreadable lines kept
};

enum class ChangeKind : std::uint8_t { kAllowToDeny, kDenyToAllow, kReasonsChanged, kNowRefused };

// One side of a comparison: what was recorded, or what the candidate decides.
struct ReplayOutcome {
  std::string decision;  // "ALLOW", "DENY", or "REFUSED" (the candidate finds it malformed)
  std::vector<std::string> reasons;
  std::vector<decision::PolicyRef> determining;
  std::string error;  // why the candidate refuses the request
};

struct ReplayChange {
  ChangeKind kind = ChangeKind::kAllowToDeny;
  std::string file;
  std::uint64_t line = 0;
  std::string decision_id;
  std::string request_id;
  std::string time;
  std::string workload;  // as recorded
  std::string api;       // as the caller gave it
  std::string action;    // the IAM action
  std::string resource;  // the normalized ARN when recorded, else as given
  ReplayOutcome before;
  ReplayOutcome after;
};

struct UnreadableRecord {
  std::string file;
  std::uint64_t line = 0;
  std::string error;
};

struct ReplayCounts {
  std::uint64_t replayed = 0;  // decision records decided again (the kinds below sum to it)
  std::uint64_t unchanged = 0;
  std::uint64_t allow_to_deny = 0;
  std::uint64_t deny_to_allow = 0;
  std::uint64_t reasons_changed = 0;
  std::uint64_t now_refused = 0;
  std::uint64_t allow_now_refused = 0;  // the part of now_refused that was recorded ALLOW
  std::uint64_t unreadable = 0;         // lines that are not JSON or not a decision record
  std::uint64_t skipped = 0;            // records that are not decisions (log-start)
};

struct ReplayReport {
  decision::VersionInfo bundle;  // the candidate's
  decision::VersionInfo registry;
  std::vector<std::string> files;  // in the order they were replayed
  std::size_t max_listed = 0;
  ReplayCounts counts;
  std::vector<ReplayChange> allow_to_deny;  // at most max_listed of each
  std::vector<ReplayChange> deny_to_allow;
  std::vector<ReplayChange> reasons_changed;
  std::vector<ReplayChange> now_refused;
  std::vector<UnreadableRecord> unreadable;  // the first few

  // What fails a deploy gate: a decision that flips between ALLOW and DENY, or a recorded
  // ALLOW that the candidate would refuse. Reason-only changes do not.
  bool has_flips() const {
    return counts.allow_to_deny > 0 || counts.deny_to_allow > 0 || counts.allow_now_refused > 0;
  }
};

// "ALLOW -> DENY", "DENY -> ALLOW", "reasons changed", "now refused".
std::string_view change_kind_title(ChangeKind kind);

// The report as one JSON document (the `--format json` output of `crossgate replay`).
nlohmann::ordered_json report_json(const ReplayReport& report);

class Replayer {
 public:
  explicit Replayer(std::shared_ptr<const decision::DecisionEngine> candidate,
                    ReplayOptions options = {});

  // Replays every line of the file, streaming. An error (the file cannot be opened or
  // read) leaves the lines read before it counted.
  cedar::Status replay_file(const std::filesystem::path& file);
  // The same for an open stream, `name` standing for it in the report (e.g. "<stdin>").
  cedar::Status replay_stream(std::istream& in, const std::string& name);
  // One line of a log; `line_number` counts from 1.
  void replay_line(std::string_view line, const std::string& file, std::uint64_t line_number);

  const ReplayReport& report() const { return report_; }

 private:
  void unreadable(const std::string& file, std::uint64_t line_number, std::string error);
  void record_change(ChangeKind kind, const nlohmann::json& record,
                     const decision::DecisionInput& input, const std::string& file,
                     std::uint64_t line_number, bool recorded_allow,
                     std::vector<std::string>& before_reasons, ReplayOutcome after);

  std::shared_ptr<const decision::DecisionEngine> candidate_;
  ReplayOptions options_;
  decision::DecisionScratch scratch_;  // one for the whole replay: it keeps its buffers
  ReplayReport report_;
};

}  // namespace crossgate::server
