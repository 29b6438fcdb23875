// Verifying a decision log's hash chain (see chain_verifier.h).
#include "server/log/chain_verifier.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "policy/decision/decision_record.h"

namespace crossgate::server {

namespace fs = std::filesystem;

namespace {

// The fields of a line that the chain needs, read with nlohmann's SAX parser: the whole
// line is checked to be JSON, but no document is built (logs have millions of lines).
class RecordFields final : public nlohmann::json_sax<nlohmann::json> {
 public:
  // False when the line is not a record; why() says what is wrong with it.
  bool parse(std::string_view line) {
    *this = RecordFields();
    empty_ = line.empty();
    bool parsed = nlohmann::json::sax_parse(line.data(), line.data() + line.size(), this);
    if (empty_) {
      why_ = "an empty line";
    } else if (!object_) {
      why_ = syntax_error_ > 0 ? syntax_text() : "not a JSON object";
    } else if (!parsed) {
      why_ = syntax_text();
    } else if (seq_twice_ || prev_twice_) {
      why_ = std::string("\"") + (seq_twice_ ? "seq" : "prev") + "\" appears twice";
    } else if (!seq_) {
      why_ = seq_bad_ ? "\"seq\" is not an unsigned integer" : "no \"seq\"";
    } else if (*seq_ == 0) {
      why_ = "\"seq\" is 0 (records count from 1)";
    } else if (!prev_) {
      why_ = prev_bad_ ? "\"prev\" is not a string" : "no \"prev\"";
    } else if (!is_hash(*prev_)) {
      why_ = "\"prev\" is not 64 lowercase hex digits";
    }
    return why_.empty();
  }

  const std::string& why() const { return why_; }
  std::uint64_t seq() const { return *seq_; }
  const std::string& prev() const { return *prev_; }
  // Set on the first line of a rotated-to file: {"type":"log-start","previous_file":...}.
  const std::string& previous_file() const { return previous_file_; }

  // nlohmann::json_sax: only the members of the top-level object matter.
  bool null() override { return scalar(); }
  bool boolean(bool /*value*/) override { return scalar(); }
  bool number_integer(number_integer_t /*value*/) override { return scalar(); }
  bool number_unsigned(number_unsigned_t value) override {
    if (depth_ == 1 && field_ == Field::kSeq) {
      seq_ = value;
      return true;
    }
    return scalar();
  }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override {
    return scalar();
  }
  bool string(string_t& value) override {
    if (depth_ == 1 && field_ == Field::kPrev) {
      prev_ = value;
      return true;
    }
    if (depth_ == 1 && field_ == Field::kPreviousFile) previous_file_ = value;
    return scalar();
  }
  bool binary(binary_t& /*value*/) override { return scalar(); }
  bool start_object(std::size_t /*elements*/) override {
    if (!container()) return false;
    if (depth_ == 0) object_ = true;
    ++depth_;
    return true;
  }
  bool key(string_t& name) override {
    if (depth_ != 1) return true;
    field_ = Field::kOther;
    if (name == "seq") {
      seq_twice_ = seq_twice_ || seen_seq_;
      seen_seq_ = true;
      field_ = Field::kSeq;
    } else if (name == "prev") {
      prev_twice_ = prev_twice_ || seen_prev_;
      seen_prev_ = true;
      field_ = Field::kPrev;
    } else if (name == "previous_file") {
      field_ = Field::kPreviousFile;
    }
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    if (depth_ == 0 || !container()) return false;
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    // The exception's text quotes the input, which may be long; the position is enough.
    syntax_error_ = position;
    return false;
  }

  static bool is_hash(std::string_view text) {
    if (text.size() != 64) return false;
    for (char c : text) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

 private:
  enum class Field : std::uint8_t { kOther, kSeq, kPrev, kPreviousFile };

  // A value that is not an unsigned number (for seq) or a string (for prev).
  bool scalar() {
    if (depth_ == 0) return false;  // the line is a bare scalar, not an object
    if (depth_ == 1) mark_wrong_type();
    return true;
  }
  bool container() {
    if (depth_ == 1) mark_wrong_type();
    return true;
  }
  void mark_wrong_type() {
    if (field_ == Field::kSeq) seq_bad_ = true;
    if (field_ == Field::kPrev) prev_bad_ = true;
  }
  std::string syntax_text() const {
    return "not valid JSON, syntax error at byte " + std::to_string(syntax_error_);
  }

  int depth_ = 0;
  Field field_ = Field::kOther;
  bool empty_ = false, object_ = false;
  std::size_t syntax_error_ = 0;
  std::optional<std::uint64_t> seq_;
  std::optional<std::string> prev_;
  bool seen_seq_ = false, seen_prev_ = false, seq_twice_ = false, prev_twice_ = false;
  bool seq_bad_ = false, prev_bad_ = false;
  std::string previous_file_;
  std::string why_;
};

// The lines of the files in order, one at a time: only the current line is in memory.
class LineStream {
 public:
  explicit LineStream(const std::vector<fs::path>& files) : files_(files) {}

  // The next line; false at the end of the last file, or when reading failed (error()).
  bool next() {
    while (true) {
      if (in_.is_open()) {
        if (std::getline(in_, line_)) {
          ++line_number_;
          // getline stops at the end of the file without failing when the newline is missing.
          newline_ = !in_.eof();
          return true;
        }
        if (in_.bad()) {
          error_ = files_[file_].string() + ": read error";
          return false;
        }
        in_.close();
        if (line_number_ == 0) empty_files_.push_back(file_);
      }
      if (next_file_ >= files_.size()) return false;
      file_ = next_file_++;
      in_.clear();
      in_.open(files_[file_], std::ios::binary);
      if (!in_) {
        error_ = files_[file_].string() + ": cannot be opened for reading";
        return false;
      }
      line_number_ = 0;
    }
  }

  const std::string& line() const { return line_; }
  bool newline() const { return newline_; }
  std::size_t file() const { return file_; }
  std::uint64_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }
  const std::vector<std::size_t>& empty_files() const { return empty_files_; }

 private:
  const std::vector<fs::path>& files_;
  std::ifstream in_;
  std::size_t next_file_ = 0, file_ = 0;
  std::uint64_t line_number_ = 0;
  std::string line_;
  bool newline_ = true;
  std::string error_;
  std::vector<std::size_t> empty_files_;
};

// A line of the given files.
struct Place {
  std::size_t file = 0;
  std::uint64_t line = 0;
};

// All that is kept of the previous record.
struct Link {
  std::uint64_t seq = 0;
  std::string hash;
  Place place;
};

// Where each file's records start: with the chain contiguous up to the current line, this
// locates any seq seen so far (to name the original of a duplicate) in O(files) memory.
struct Segment {
  std::size_t file = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t first_line = 0;
};

std::string unusable_reason(const fs::path& file) {
  std::error_code error;
  fs::file_status status = fs::status(file, error);
  if (error) return file.string() + ": " + error.message();
  if (!fs::is_regular_file(status)) return file.string() + ": not a regular file";
  if (!std::ifstream(file, std::ios::binary)) return file.string() + ": cannot be opened";
  return "";
}

class Verifier {
 public:
  Verifier(std::vector<fs::path> files, ChainVerification& out)
      : files_(std::move(files)), out_(out), stream_(files_) {}

  void run() {
    if (!load_head()) return;
    RecordFields fields;
    while (stream_.next()) {
      if (!check_line(fields)) return;
    }
    if (!stream_.error().empty()) {
      fail(ChainProblem::kUnreadable, stream_.error(), {});
      return;
    }
    for (std::size_t file : stream_.empty_files()) {
      out_.notes.push_back(files_[file].string() + " is empty");
    }
    check_end();
  }

 private:
  std::string at(Place place) const {
    return files_[place.file].string() + ":" + std::to_string(place.line);
  }
  Place here() const { return {stream_.file(), stream_.line_number()}; }
  std::string seq_text(std::uint64_t seq) const { return "(seq " + std::to_string(seq) + ")"; }
  // "(after seq 41)" for a line that is not a record, when there is a record before it.
  std::string after_text() const {
    return have_link_ ? " (after seq " + std::to_string(link_.seq) + ")" : "";
  }

  bool fail(ChainProblem kind, std::string problem, std::optional<Place> place) {
    out_.problem_kind = kind;
    out_.problem = std::move(problem);
    if (place) {
      out_.problem_file = files_[place->file];
      out_.problem_line = place->line;
    }
    return false;
  }

  // Reads the head file beside the last file, if there is one, before the lines: the
  // record with its seq is compared as it goes by.
  bool load_head() {
    if (files_.empty()) return true;
    const fs::path& last = files_.back();
    fs::path head = head_path(last);
    std::error_code error;
    if (!fs::exists(head, error)) {
      head_note_ = "no head file beside " + last.string() +
                   ": records removed from its end, or an edit of its last line, would not show";
      return true;
    }
    out_.head_file = head;
    if (std::string reason = unusable_reason(head); !reason.empty()) {
      return fail(ChainProblem::kUnreadable, reason, {});
    }
    if (fs::file_size(head, error) == 0) {
      // Created when the log was opened, written after the first batch.
      head_note_ = "the head file " + head.string() +
                   " is empty (no batch written since the log was opened): the end of the log "
                   "is not checked";
      return true;
    }
    std::optional<LogHead> value = server::read_head(last);
    if (!value || !RecordFields::is_hash(value->hash) || value->seq == 0) {
      head_invalid_ = true;
    } else {
      out_.head = value;
    }
    return true;
  }

  // One line: false when it shows the first problem (then reported in out_).
  bool check_line(RecordFields& fields) {
    Place place = here();
    const std::string& line = stream_.line();
    bool record = fields.parse(line);
    if (head_mismatch_ &&
        !(record && fields.seq() == link_.seq + 1 && fields.prev() != link_.hash)) {
      // The line with the head's seq has another hash, yet the chain goes on from it: the
      // records up to it were rewritten with recomputed hashes. (When the next line's prev
      // does not match, check_link names the same line as edited.)
      disown_last();
      return fail(ChainProblem::kHeadMismatch,
                  at(link_.place) + " " + seq_text(link_.seq) +
                      " does not have the hash that the head file " + out_.head_file->string() +
                      " records for it: the records up to it were rewritten with recomputed "
                      "hashes, or the head file was edited",
                  link_.place);
    }
    if (!record) {
      if (!stream_.newline()) {
        return fail(ChainProblem::kTruncated,
                    at(place) + after_text() +
                        " is truncated: the last line of the file has no newline and is not a "
                        "complete record (" +
                        fields.why() + ")",
                    place);
      }
      return fail(ChainProblem::kNotARecord,
                  at(place) + after_text() + " is not a decision record: " + fields.why(), place);
    }
    std::string hash = decision::record_hash(line);
    std::uint64_t seq = fields.seq();
    if (!have_link_) {
      if (!check_start(fields, place)) return false;
    } else if (!check_link(fields, hash, place)) {
      return false;
    }
    accept(seq, std::move(hash), place);
    if (!stream_.newline()) {
      disown_last();
      return fail(ChainProblem::kTruncated,
                  at(place) + " " + seq_text(seq) +
                      " is truncated: the last line of the file has no newline (a write cut "
                      "short, or bytes removed)",
                  place);
    }
    return true;
  }

  bool check_start(const RecordFields& fields, Place place) {
    if (fields.seq() == 1) {
      if (fields.prev() != decision::kGenesisHash) {
        return fail(ChainProblem::kBadGenesis,
                    at(place) +
                        " (seq 1) was edited: it starts the log, but its prev is not the "
                        "genesis hash (64 zeros)",
                    place);
      }
      out_.notes.push_back("the chain starts at seq 1 (the start of the log) in " +
                           files_[place.file].string());
    } else {
      std::string note = "the chain starts at seq " + std::to_string(fields.seq()) + " in " +
                         files_[place.file].string();
      if (!fields.previous_file().empty()) note += ", which continues " + fields.previous_file();
      out_.notes.push_back(note +
                           "; the records before it are not in the files given (deleted by "
                           "retention, or left out)");
    }
    out_.first_seq = fields.seq();
    out_.start_file = files_[place.file];
    return true;
  }

  bool check_link(const RecordFields& fields, const std::string& hash, Place place) {
    std::uint64_t seq = fields.seq();
    bool chained = fields.prev() == link_.hash;
    if (seq == link_.seq + 1 && chained) return true;
    if (seq == link_.seq + 1) {
      // Consecutive seqs were written next to each other: the earlier line changed.
      disown_last();
      return fail(ChainProblem::kEdited,
                  at(link_.place) + " " + seq_text(link_.seq) +
                      " was edited: its SHA-256 is not the prev of the next line, " + at(place) +
                      " " + seq_text(seq),
                  link_.place);
    }
    if (chained) {
      // Chained to the line before it, so this line was written right after it.
      return fail(ChainProblem::kEdited,
                  at(place) + " was edited: it says seq " + std::to_string(seq) +
                      " but is chained to " + at(link_.place) + " " + seq_text(link_.seq) +
                      ", so it was seq " + std::to_string(link_.seq + 1),
                  place);
    }
    if (seq > link_.seq + 1) return removed_or_reordered(fields, place);
    std::string hint = file_order_hint(place);
    if (seq < out_.first_seq) {
      Place start{segments_.front().file, segments_.front().first_line};
      return fail(ChainProblem::kReordered,
                  "lines reordered: " + at(start) + " " + seq_text(out_.first_seq) +
                      " comes before " + at(place) + " " + seq_text(seq) + hint,
                  start);
    }
    // Every seq from the start up to the previous line was seen, each once: this one again.
    if (seq == link_.seq && hash == link_.hash) {
      return fail(ChainProblem::kDuplicated,
                  at(place) + " " + seq_text(seq) + " duplicates the line before it, " +
                      at(link_.place) + hint,
                  place);
    }
    return fail(ChainProblem::kDuplicated,
                at(place) + " " + seq_text(seq) + " duplicates " + at(place_of(seq)) + " " +
                    seq_text(seq) + ", which the chain already holds" + hint,
                place);
  }

  // A gap in seq: the missing records were removed, unless one of them comes later (then
  // the lines were moved). The rest of the files is read to tell.
  bool removed_or_reordered(const RecordFields& fields, Place place) {
    std::uint64_t seq = fields.seq(), first_missing = link_.seq + 1, last_missing = seq - 1;
    std::string previous_file = fields.previous_file();
    RecordFields later;
    while (stream_.next()) {
      if (later.parse(stream_.line()) && later.seq() >= first_missing &&
          later.seq() <= last_missing) {
        return fail(ChainProblem::kReordered,
                    "lines reordered: " + at(place) + " " + seq_text(seq) + " comes before " +
                        at(here()) + " " + seq_text(later.seq()) + file_order_hint(place),
                    place);
      }
    }
    if (!stream_.error().empty()) return fail(ChainProblem::kUnreadable, stream_.error(), {});
    std::string problem = "records " + std::to_string(first_missing) + ".." +
                          std::to_string(last_missing) + " removed before " + at(place) + " " +
                          seq_text(seq) + ", which follows " + at(link_.place) + " " +
                          seq_text(link_.seq);
    // A rotated-to file names its predecessor: say when that file is not the one given.
    if (place.line == 1 && !previous_file.empty() &&
        previous_file != files_[link_.place.file].filename().string()) {
      problem += "; " + files_[place.file].string() + " starts with a log-start record naming " +
                 previous_file + " as the file before it, which is not among the files given";
    }
    return fail(ChainProblem::kRemoved, problem, place);
  }

  // Going back in seq at the start of a file is most likely files given in the wrong order.
  std::string file_order_hint(Place place) const {
    return place.line == 1 && place.file > 0 ? " (are the files given oldest first?)" : "";
  }

  Place place_of(std::uint64_t seq) const {
    const Segment* found = &segments_.front();
    for (const Segment& segment : segments_) {
      if (segment.first_seq <= seq) found = &segment;
    }
    return {found->file, found->first_line + (seq - found->first_seq)};
  }

  void accept(std::uint64_t seq, std::string hash, Place place) {
    if (segments_.empty() || segments_.back().file != place.file) {
      segments_.push_back({place.file, seq, place.line});
    }
    if (out_.head && seq == out_.head->seq && hash != out_.head->hash) head_mismatch_ = true;
    link_ = {seq, std::move(hash), place};
    have_link_ = true;
    ++out_.records;
    out_.last_seq = seq;
  }

  // The last record accepted turned out to be the one with the problem: it is not counted
  // as verified (the chain is contiguous, so the range just shrinks by one).
  void disown_last() {
    --out_.records;
    out_.last_seq = out_.records > 0 ? out_.last_seq - 1 : 0;
    if (out_.records == 0) out_.first_seq = 0;
  }

  // After the last line: the head file against the end of the chain.
  void check_end() {
    if (!head_note_.empty()) out_.notes.push_back(head_note_);
    if (!out_.head_file) return;
    const std::string head = out_.head_file->string();
    if (head_invalid_) {
      fail(ChainProblem::kHeadMismatch,
           "the head file " + head +
               " is not a head file (one line {\"seq\":N,\"hash\":\"<64 hex>\"}): edited or "
               "damaged, so the end of the log cannot be checked",
           {});
      return;
    }
    if (!out_.head) return;
    std::uint64_t head_seq = out_.head->seq;
    std::string recorded =
        " (the head file " + head + " records seq " + std::to_string(head_seq) + ")";
    if (!have_link_) {
      fail(ChainProblem::kRemovedAtEnd, "all records removed: the files hold no record" + recorded,
           {});
      out_.problem_file = files_.back();
      return;
    }
    if (head_mismatch_) {
      disown_last();
      fail(ChainProblem::kEdited,
           at(link_.place) + " " + seq_text(link_.seq) +
               ", the last line, was edited: its hash is not the one the head file " + head +
               " records",
           link_.place);
      return;
    }
    if (head_seq > link_.seq) {
      fail(ChainProblem::kRemovedAtEnd,
           "records " + std::to_string(link_.seq + 1) + ".." + std::to_string(head_seq) +
               " removed from the end" + recorded + "; the last line is " + at(link_.place) + " " +
               seq_text(link_.seq),
           link_.place);
      return;
    }
    if (head_seq < out_.first_seq) {
      out_.notes.push_back("the head file " + head + " records seq " + std::to_string(head_seq) +
                           ", before the first record given: not compared");
    } else if (head_seq < link_.seq) {
      // The daemon stops (or crashes) between writing a batch and updating the head.
      out_.notes.push_back("the head file " + head + " records seq " + std::to_string(head_seq) +
                           " with its hash, " + std::to_string(link_.seq - head_seq) +
                           " record(s) before the last line (written after the head's last "
                           "update)");
    } else {
      out_.notes.push_back("the last line matches the head file " + head + " (seq " +
                           std::to_string(head_seq) + ")");
    }
  }

  std::vector<fs::path> files_;
  ChainVerification& out_;
  LineStream stream_;
  Link link_;
  bool have_link_ = false;
  std::vector<Segment> segments_;
  bool head_mismatch_ = false;  // the record with the head's seq has another hash
  bool head_invalid_ = false;
  std::string head_note_;  // why the end is not compared with a head, if it is not
};

}  // namespace

ChainVerification verify_chain(std::span<const fs::path> given) {
  ChainVerification out;
  if (given.empty()) {
    out.problem_kind = ChainProblem::kUnreadable;
    out.problem = "no files given";
    return out;
  }
  std::vector<fs::path> files;
  for (const fs::path& file : given) {
    // `decisions.log.*` matches the head file too: it is compared, not chained.
    bool is_head = false;
    for (const fs::path& other : given) {
      if (head_path(other).lexically_normal() == file.lexically_normal()) is_head = true;
    }
    if (is_head) {
      out.notes.push_back(file.string() + " is a head file: not read as log lines");
      continue;
    }
    if (std::string reason = unusable_reason(file); !reason.empty()) {
      out.problem_kind = ChainProblem::kUnreadable;
      out.problem = reason;
      out.problem_file = file;
      return out;
    }
    files.push_back(file);
  }
  if (files.empty()) {
    out.problem_kind = ChainProblem::kUnreadable;
    out.problem = "no log files given (only head files)";
    return out;
  }
  Verifier(std::move(files), out).run();
  return out;
}

}  // namespace crossgate::server
