#include "server/log/decision_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>

#include "policy/common/time.h"
#include "policy/decision/decision_record.h"
#include "server/log/log_files.h"

namespace crossgate::server {

namespace fs = std::filesystem;

// Everything only the writer thread touches.
struct DecisionLog::State {
  int fd = -1;
  dev_t device = 0;  // which file `fd` is, to notice it being removed or replaced
  ino_t inode = 0;
  std::uint64_t next_seq = 1;
  std::string last_hash;
  std::uint64_t file_bytes = 0;
  UnixMillis file_started = 0;
  int head_fd = -1;
  bool head_dirty = false;
  std::string buffer;  // a batch's lines; kept to reuse its memory
};

namespace {

// The last non-empty line of a file ("" when there is none).
std::string last_line(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

DecisionLog::DecisionLog(LogOptions options, LogMetrics metrics)
    : options_(std::move(options)), metrics_(metrics), state_(std::make_unique<State>()) {}

DecisionLog::~DecisionLog() {
  stopping_.store(true);
  queued_.fetch_add(1);
  queued_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (state_->fd >= 0) ::close(state_->fd);
  if (state_->head_fd >= 0) ::close(state_->head_fd);
}

cedar::Result<std::unique_ptr<DecisionLog>> DecisionLog::open(LogOptions options,
                                                              LogMetrics metrics) {
  std::unique_ptr<DecisionLog> log(new DecisionLog(std::move(options), metrics));
  State& s = *log->state_;
  const fs::path& path = log->options_.path;
  s.last_hash = std::string(decision::kGenesisHash);
  // Continue the chain from the newest record there is.
  std::vector<fs::path> files = log_chain_files(path);
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    std::string last = last_line(*it);
    if (last.empty()) continue;
    nlohmann::json record = nlohmann::json::parse(last, nullptr, false);
    if (record.is_discarded() || !record.contains("seq") || !record["seq"].is_number_unsigned()) {
      return cedar::Error{it->string() +
                          ": the last line is not a decision record; refusing to extend a log "
                          "whose chain cannot be continued (move the file away, or run "
                          "`crossgate log verify` on it)"};
    }
    s.next_seq = record["seq"].get<std::uint64_t>() + 1;
    s.last_hash = decision::record_hash(last);
    break;
  }
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  std::string error;
  if (!log->ensure_open(error)) return cedar::Error{error};
  s.head_fd = ::open(head_path(path).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
  log->writer_ = std::thread([raw = log.get()] { raw->run(); });
  return log;
}

bool DecisionLog::ensure_open(std::string& error) {
  State& s = *state_;
  if (s.fd >= 0) {
    // A log file removed (or replaced) under us would swallow records: start a new one.
    struct stat on_disk {};
    if (::stat(options_.path.c_str(), &on_disk) == 0 && on_disk.st_ino == s.inode &&
        on_disk.st_dev == s.device) {
      return true;
    }
    ::close(s.fd);
    s.fd = -1;
  }
  s.fd = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (s.fd < 0) {
    error = options_.path.string() + ": cannot open the decision log: " + errno_text();
    return false;
  }
  struct stat info {};
  if (::fstat(s.fd, &info) != 0) {
    error = options_.path.string() + ": cannot stat the decision log: " + errno_text();
    ::close(s.fd);
    s.fd = -1;
    return false;
  }
  s.file_bytes = static_cast<std::uint64_t>(info.st_size);
  s.device = info.st_dev;
  s.inode = info.st_ino;
  s.file_started = now_millis();
  return true;
}

bool DecisionLog::append(const nlohmann::ordered_json& record, std::string& error) {
  return append(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), error);
}

void DecisionLog::submit(std::unique_ptr<Write> write) {
  Write* raw = write.release();
  Write* head = queue_.load(std::memory_order_relaxed);
  do {
    raw->next_ = head;
  } while (!queue_.compare_exchange_weak(head, raw, std::memory_order_release,
                                         std::memory_order_relaxed));
  queued_.fetch_add(1, std::memory_order_release);
  queued_.notify_one();
}

namespace {

// append()'s Write: hands the outcome to the caller waiting on its own stack. The writer
// sets it and notifies under the caller's lock, so the caller cannot return (and take the
// state away) before the writer is done with it.
struct Waiter {
  std::mutex mutex;
  std::condition_variable wake;
  bool done = false;
  bool ok = false;
  std::string error;
};

class WaitedWrite final : public DecisionLog::Write {
 public:
  WaitedWrite(std::string record, Waiter& waiter) : waiter_(waiter) {
    records = std::move(record);
    records += '\n';
  }
  void written(bool ok, const std::string& error) override {
    std::lock_guard<std::mutex> lock(waiter_.mutex);
    waiter_.ok = ok;
    waiter_.error = error;
    waiter_.done = true;
    waiter_.wake.notify_one();
  }

 private:
  Waiter& waiter_;
};

}  // namespace

bool DecisionLog::append(std::string record_json, std::string& error) {
  Waiter waiter;
  submit(std::make_unique<WaitedWrite>(std::move(record_json), waiter));
  std::unique_lock<std::mutex> lock(waiter.mutex);
  waiter.wake.wait(lock, [&] { return waiter.done; });
  if (waiter.ok) return true;
  error = waiter.error;
  return false;
}

void DecisionLog::run() {
  while (true) {
    std::uint64_t seen = queued_.load(std::memory_order_acquire);
    while (seen == 0) {
      queued_.wait(0, std::memory_order_acquire);
      seen = queued_.load(std::memory_order_acquire);
    }
    Write* taken = queue_.exchange(nullptr, std::memory_order_acquire);
    std::uint64_t count = 0;
    for (Write* w = taken; w != nullptr; w = w->next_)
      ++count;
    // The queue is a stack: reverse it so that records keep their arrival order.
    Write* ordered = nullptr;
    while (taken != nullptr) {
      Write* next = taken->next_;
      taken->next_ = ordered;
      ordered = taken;
      taken = next;
    }
    if (ordered != nullptr) write_batch(ordered);
    if (queued_.fetch_sub(count, std::memory_order_acq_rel) == count && stopping_.load()) {
      // Only the wake-up from the destructor is left.
      if (queue_.load() == nullptr) return;
    }
    if (stopping_.load() && queue_.load() == nullptr && queued_.load() <= 1) return;
  }
}

void DecisionLog::write_batch(Write* first) {
  State& s = *state_;
  std::string error;
  maybe_rotate();
  bool ok = ensure_open(error);
  std::string& buffer = s.buffer;
  buffer.clear();
  std::uint64_t seq = s.next_seq;
  std::string hash = s.last_hash;
  std::size_t records = 0;
  if (ok) {
    for (Write* w = first; w != nullptr; w = w->next_) {
      std::string_view rest = w->records;
      while (!rest.empty()) {
        const std::size_t end = std::min(rest.find('\n'), rest.size());
        const std::size_t start = buffer.size();
        decision::append_chained_record(buffer, rest.substr(0, end), seq, hash);
        hash = decision::record_hash(std::string_view(buffer).substr(start));
        buffer += '\n';
        rest.remove_prefix(std::min(end + 1, rest.size()));
        ++seq;
        ++records;
      }
    }
    std::size_t done = 0;
    while (ok && done < buffer.size()) {
      ssize_t n = ::write(s.fd, buffer.data() + done, buffer.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = options_.path.string() + ": " + (n < 0 ? errno_text() : std::string("short write"));
        ok = false;
        // Never leave part of a batch behind: the chain must stay readable.
        if (done > 0 && ::ftruncate(s.fd, static_cast<off_t>(s.file_bytes)) != 0) {
          error += " (and truncating the partial batch failed)";
        }
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    if (ok && options_.durability == Durability::kFsync) {
      auto start = std::chrono::steady_clock::now();
      if (::fdatasync(s.fd) != 0) {
        error = options_.path.string() + ": fdatasync: " + errno_text();
        ok = false;
        if (::ftruncate(s.fd, static_cast<off_t>(s.file_bytes)) != 0) {
          error += " (and truncating the batch failed)";
        }
      }
      if (metrics_.sync_seconds != nullptr) {
        metrics_.sync_seconds->observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    }
  }
  if (ok) {
    s.next_seq = seq;
    s.last_hash = hash;
    s.file_bytes += buffer.size();
    s.head_dirty = true;
    update_head();
    written_.fetch_add(records, std::memory_order_relaxed);
    if (metrics_.records != nullptr) metrics_.records->inc(records);
    if (metrics_.bytes != nullptr) metrics_.bytes->inc(buffer.size());
    if (metrics_.batch_records != nullptr)
      metrics_.batch_records->observe(static_cast<double>(records));
  } else if (metrics_.write_failures != nullptr) {
    std::uint64_t failed = 0;
    for (Write* w = first; w != nullptr; w = w->next_)
      failed += static_cast<std::uint64_t>(std::count(w->records.begin(), w->records.end(), '\n'));
    metrics_.write_failures->inc(failed);
  }
  for (Write* w = first; w != nullptr;) {
    std::unique_ptr<Write> done(w);
    w = w->next_;
    done->written(ok, error);
  }
}

void DecisionLog::update_head() {
  State& s = *state_;
  if (s.head_fd < 0 || !s.head_dirty) return;
  std::string head = format_head(LogHead{s.next_seq - 1, s.last_hash});
  // One in-place write of a fixed-size line: cheap enough to do after every batch.
  if (::pwrite(s.head_fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size())) {
    s.head_dirty = false;
  }
}

void DecisionLog::maybe_rotate() {
  State& s = *state_;
  if (s.fd < 0 || s.file_bytes == 0) return;
  bool by_size = options_.rotate_bytes > 0 && s.file_bytes >= options_.rotate_bytes;
  bool by_age = options_.rotate_age.count() > 0 &&
                now_millis() - s.file_started >= options_.rotate_age.count() * 1000;
  if (!by_size && !by_age) return;
  UnixMillis at = now_millis();
  fs::path rotated = rotated_name(options_.path, at);
  std::error_code ec;
  // Two rotations within one millisecond get the same name, and rename(2) would replace the
  // first file with the second: take the next free millisecond (names still sort as written).
  while (fs::exists(rotated, ec))
    rotated = rotated_name(options_.path, ++at);
  fs::rename(options_.path, rotated, ec);
  if (ec) return;  // keep writing where we are; a later batch tries again
  ::close(s.fd);
  s.fd = -1;
  std::string error;
  if (!ensure_open(error)) return;
  // The new file starts by naming its predecessor, chained to its last record.
  nlohmann::ordered_json start = {{"type", "log-start"},
                                  {"time", format_rfc3339(now_millis())},
                                  {"previous_file", rotated.filename().string()}};
  std::string body = start.dump();
  std::string line = "{\"seq\":" + std::to_string(s.next_seq) + "," +
                     body.substr(1, body.size() - 2) + ",\"prev\":\"" + s.last_hash + "\"}";
  std::string with_newline = line + "\n";
  if (::write(s.fd, with_newline.data(), with_newline.size()) ==
      static_cast<ssize_t>(with_newline.size())) {
    s.last_hash = decision::record_hash(line);
    ++s.next_seq;
    s.file_bytes += with_newline.size();
    s.head_dirty = true;
  } else if (::ftruncate(s.fd, 0) != 0) {
    // Nothing more to do: the next batch reports the write error.
  }
  if (metrics_.rotations != nullptr) metrics_.rotations->inc();
  enforce_retention();
}

void DecisionLog::enforce_retention() {
  if (options_.retain_files == 0) return;
  std::vector<fs::path> files = log_chain_files(options_.path);
  if (!files.empty() && files.back() == options_.path) files.pop_back();
  std::error_code ec;
  while (files.size() > options_.retain_files) {
    fs::remove(files.front(), ec);
    files.erase(files.begin());
  }
}

}  // namespace crossgate::server
