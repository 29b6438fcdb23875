// Reading a bundle from a directory or a .tar.gz (see bundle_source.h).
//
// Both readers include every regular file, hidden ones too (".DS_Store", ".git/..."): the
// signatures must cover everything that is loaded, so nothing is skipped silently; a stray
// file shows up as "not listed in signatures.json" instead of being ignored. Symbolic
// links are refused in both, since following them would read outside the bundle.
#include "policy/bundle/bundle_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

namespace crossgate::bundle {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxPathBytes = 1024;

std::string in_quotes(std::string_view path) {
  return "'" + std::string(path) + "'";
}

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values beyond
// U+10FFFF). Paths end up as JSON keys in signatures.json, which must be UTF-8.
bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t length = 0;
    std::uint32_t value = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
      value = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      value = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      value = c & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xc0u) != 0x80u) return false;
      value = value << 6 | (byte(i + k) & 0x3fu);
    }
    if ((length == 3 && value < 0x800) || (length == 4 && value < 0x10000) ||
        (value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) {
      return false;
    }
    i += length;
  }
  return true;
}

// Why a relative '/'-separated path cannot be a bundle path, or empty when it can. Control
// characters are refused because a newline in a path would forge a line of the signed
// statement; backslashes because another system would read them as separators.
std::string path_problem(std::string_view path) {
  if (path.empty()) return "empty path";
  if (path.size() > kMaxPathBytes) return "path longer than " + std::to_string(kMaxPathBytes);
  if (!is_utf8(path)) return "path is not valid UTF-8";
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "control character in path";
    if (c == '\\') return "backslash in path (use '/')";
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t end = path.find('/', start);
    std::string_view component =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (component.empty() || component == "." || component == "..") {
      return "path component '" + std::string(component) + "' not allowed";
    }
    if (end == std::string_view::npos) return {};
    start = end + 1;
  }
}

// Counts what has been read so far against the limits; `what` names the offending entry.
class Budget {
 public:
  Budget(const SourceLimits& limits, std::string origin)
      : limits_(limits), origin_(std::move(origin)) {}

  Status add_file(const std::string& path) {
    if (++files_ > limits_.max_files) {
      return Error{origin_ + ": " + in_quotes(path) + ": more than " +
                   std::to_string(limits_.max_files) + " files"};
    }
    return cedar::Ok{};
  }

  // Whether `more` bytes fit, `file_bytes` being what this file already holds.
  Status check_bytes(const std::string& path, std::uint64_t file_bytes, std::uint64_t more) const {
    if (file_bytes + more > limits_.max_file_bytes) {
      return Error{origin_ + ": " + in_quotes(path) + ": larger than the limit of " +
                   std::to_string(limits_.max_file_bytes) + " bytes per file"};
    }
    if (total_ + more > limits_.max_total_bytes) {
      return Error{origin_ + ": " + in_quotes(path) + ": the bundle exceeds the limit of " +
                   std::to_string(limits_.max_total_bytes) + " bytes in total"};
    }
    return cedar::Ok{};
  }

  Status add_bytes(const std::string& path, std::uint64_t file_bytes, std::uint64_t more) {
    Status fits = check_bytes(path, file_bytes, more);
    if (fits) total_ += more;
    return fits;
  }

 private:
  const SourceLimits& limits_;
  std::string origin_;
  std::size_t files_ = 0;
  std::uint64_t total_ = 0;
};

// ---- directories ------------------------------------------------------------------------

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// O_NOFOLLOW and the fstat make a file swapped for a link or a FIFO after the directory
// listing fail here instead of being followed (or blocking). Reads stop one byte past the
// limit, so a file growing meanwhile cannot make us hold more than the budget.
Result<std::string> read_regular_file(const fs::path& file, const std::string& path, Budget& budget,
                                      const std::string& origin) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    int error = errno;
    return Error{origin + ": " + in_quotes(path) + ": cannot open: " + std::strerror(error)};
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Error{origin + ": " + in_quotes(path) + ": not a regular file"};
  }
  auto charged = static_cast<std::uint64_t>(info.st_size);
  if (Status fits = budget.add_bytes(path, 0, charged); !fits) return fits.error();
  std::string content;
  content.reserve(static_cast<std::size_t>(charged));
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      return Error{origin + ": " + in_quotes(path) + ": cannot read: " + std::strerror(error)};
    }
    if (n == 0) break;
    auto count = static_cast<std::size_t>(n);
    if (content.size() + count > charged) {  // the file grew after fstat: charge the growth
      std::uint64_t extra = content.size() + count - charged;
      if (Status fits = budget.add_bytes(path, charged, extra); !fits) return fits.error();
      charged += extra;
    }
    content.append(buffer.data(), count);
  }
  return content;
}

Result<BundleFiles> read_directory(const fs::path& root, const SourceLimits& limits) {
  BundleFiles bundle;
  bundle.origin = root.string();
  const std::string& origin = bundle.origin;
  Budget budget(limits, origin);
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, error);
  if (error) return Error{origin + ": cannot read the directory: " + error.message()};
  for (; it != fs::recursive_directory_iterator();) {
    const fs::path& file = it->path();
    std::string path = file.lexically_relative(root).generic_string();
    fs::file_status status = it->symlink_status(error);
    if (error) return Error{origin + ": " + in_quotes(path) + ": " + error.message()};
    if (fs::is_symlink(status)) {
      return Error{origin + ": " + in_quotes(path) +
                   " is a symbolic link; a bundle must hold regular files only"};
    }
    if (!fs::is_directory(status)) {
      if (!fs::is_regular_file(status)) {
        return Error{origin + ": " + in_quotes(path) +
                     " is not a regular file (a device, FIFO or socket)"};
      }
      if (std::string problem = path_problem(path); !problem.empty()) {
        return Error{origin + ": " + in_quotes(path) + ": " + problem};
      }
      if (Status counted = budget.add_file(path); !counted) return counted.error();
      Result<std::string> content = read_regular_file(file, path, budget, origin);
      if (!content) return content.error();
      bundle.files.emplace(std::move(path), std::move(*content));
    }
    it.increment(error);
    if (error) return Error{origin + ": cannot read the directory: " + error.message()};
  }
  if (bundle.files.empty()) return Error{origin + ": the directory holds no files"};
  return bundle;
}

// ---- archives ---------------------------------------------------------------------------

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

std::string archive_message(archive* a) {
  const char* message = archive_error_string(a);
  return message == nullptr ? std::string("unreadable archive") : std::string(message);
}

// A tar.gz and nothing else: only the gzip filter and the tar formats (ustar, pax, GNU)
// are enabled, so libarchive's other parsers are not exposed to hostile input.
Result<ArchivePtr> new_reader(const std::string& origin) {
  ArchivePtr reader(archive_read_new());
  if (!reader || archive_read_support_filter_gzip(reader.get()) != ARCHIVE_OK ||
      archive_read_support_format_tar(reader.get()) != ARCHIVE_OK) {
    return Error{origin + ": cannot set up the archive reader"};
  }
  return reader;
}

// The entry's path made relative and '/'-separated: "./" and empty components dropped;
// an absolute path or a ".." anywhere is refused rather than normalised away.
Result<std::string> entry_path(std::string_view raw) {
  if (!raw.empty() && raw.front() == '/') return Error{"absolute path"};
  std::string path;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view component = raw.substr(start, end - start);
    if (component == "..") return Error{"'..' in path"};
    if (!component.empty() && component != ".") {
      if (!path.empty()) path += '/';
      path += component;
    }
    start = end + 1;
  }
  return path;
}

std::string_view type_name(mode_t type) {
  switch (type) {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "not a regular file or directory";
  }
}

Status read_entry_data(archive* reader, const std::string& path, Budget& budget,
                       const std::string& origin, std::string& content) {
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    la_ssize_t n = archive_read_data(reader, buffer.data(), buffer.size());
    if (n < 0) return Error{origin + ": " + in_quotes(path) + ": " + archive_message(reader)};
    if (n == 0) return cedar::Ok{};
    auto count = static_cast<std::size_t>(n);
    if (Status fits = budget.add_bytes(path, content.size(), count); !fits) return fits;
    content.append(buffer.data(), count);
  }
}

// The usual `tar czf b.tar.gz b/` puts everything under "b/": read it as the root.
void strip_single_top_folder(std::map<std::string, std::string>& files) {
  std::string_view top;
  for (const auto& [path, content] : files) {
    std::size_t slash = path.find('/');
    if (slash == std::string::npos) return;  // a file at the root: nothing to strip
    std::string_view first = std::string_view(path).substr(0, slash);
    if (top.empty()) {
      top = first;
    } else if (first != top) {
      return;
    }
  }
  std::map<std::string, std::string> stripped;
  for (auto& [path, content] : files) {
    stripped.emplace(path.substr(top.size() + 1), std::move(content));
  }
  files = std::move(stripped);
}

Result<BundleFiles> read_archive(archive* reader, const std::string& origin,
                                 const SourceLimits& limits) {
  BundleFiles bundle;
  bundle.origin = origin;
  Budget budget(limits, origin);
  // Directory entries cost no memory but still take time: bound them too.
  const std::size_t max_entries = limits.max_files * 2 + 16;
  std::size_t entries = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    int status = archive_read_next_header(reader, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return Error{origin + ": " + archive_message(reader)};
    }
    if (entries++ == 0 && archive_filter_code(reader, 0) != ARCHIVE_FILTER_GZIP) {
      return Error{origin + ": not a gzip-compressed tar archive"};
    }
    if (entries > max_entries) {
      return Error{origin + ": more than " + std::to_string(max_entries) + " entries"};
    }
    const char* raw = archive_entry_pathname(entry);
    if (raw == nullptr) raw = archive_entry_pathname_utf8(entry);
    if (raw == nullptr) return Error{origin + ": an entry without a readable name"};
    std::string shown(raw);
    if (shown.size() > 4 * kMaxPathBytes) {
      return Error{origin + ": entry " + in_quotes(shown.substr(0, 64)) + "...: name too long"};
    }
    Result<std::string> path = entry_path(shown);
    if (!path) return Error{origin + ": entry " + in_quotes(shown) + ": " + path.message()};
    if (archive_entry_hardlink(entry) != nullptr) {
      return Error{origin + ": entry " + in_quotes(shown) + " is a hard link"};
    }
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      return Error{origin + ": entry " + in_quotes(shown) + " is " + std::string(type_name(type)) +
                   "; a bundle must hold regular files only"};
    }
    if (std::string problem = path_problem(*path); !problem.empty()) {
      return Error{origin + ": entry " + in_quotes(shown) + ": " + problem};
    }
    if (bundle.files.count(*path) != 0) {
      return Error{origin + ": entry " + in_quotes(shown) + ": duplicate path " + in_quotes(*path)};
    }
    if (Status counted = budget.add_file(*path); !counted) return counted.error();
    // The header's size is checked before reading, so an oversized entry costs nothing; the
    // bytes are charged as they are actually read (a header may lie).
    if (archive_entry_size_is_set(entry) != 0 && archive_entry_size(entry) > 0) {
      if (Status fits =
              budget.check_bytes(*path, 0, static_cast<std::uint64_t>(archive_entry_size(entry)));
          !fits) {
        return fits.error();
      }
    }
    std::string content;
    if (Status read = read_entry_data(reader, *path, budget, origin, content); !read) {
      return read.error();
    }
    bundle.files.emplace(std::move(*path), std::move(content));
  }
  if (bundle.files.empty()) return Error{origin + ": the archive holds no files"};
  // A file "a" and a file "a/b" cannot both exist on disk: refuse rather than pick one.
  for (const auto& [path, content] : bundle.files) {
    auto below = bundle.files.lower_bound(path + "/");
    if (below != bundle.files.end() && below->first.compare(0, path.size() + 1, path + "/") == 0) {
      return Error{origin + ": " + in_quotes(path) + " is both a file and a folder"};
    }
  }
  strip_single_top_folder(bundle.files);
  return bundle;
}

bool has_archive_suffix(const fs::path& path) {
  std::string name = path.filename().string();
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".tar.gz") || ends_with(".tgz");
}

}  // namespace

Result<BundleFiles> read_bundle_source(const fs::path& path, const SourceLimits& limits) {
  const std::string origin = path.string();
  std::error_code error;
  // The root itself may be a link (deployments often point a stable name at a release);
  // only what is inside the bundle must be plain files.
  fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) return Error{origin + ": no such file or directory"};
  if (error) return Error{origin + ": " + error.message()};
  if (fs::is_directory(status)) return read_directory(path, limits);
  if (!fs::is_regular_file(status) || !has_archive_suffix(path)) {
    return Error{origin + ": neither a directory nor a .tar.gz/.tgz archive"};
  }
  Result<ArchivePtr> reader = new_reader(origin);
  if (!reader) return reader.error();
  if (archive_read_open_filename(reader->get(), path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    return Error{origin + ": " + archive_message(reader->get())};
  }
  return read_archive(reader->get(), origin, limits);
}

Result<BundleFiles> read_bundle_archive(const std::string& archive_bytes, const std::string& origin,
                                        const SourceLimits& limits) {
  Result<ArchivePtr> reader = new_reader(origin);
  if (!reader) return reader.error();
  if (archive_read_open_memory(reader->get(), archive_bytes.data(), archive_bytes.size()) !=
      ARCHIVE_OK) {
    return Error{origin + ": " + archive_message(reader->get())};
  }
  return read_archive(reader->get(), origin, limits);
}

}  // namespace crossgate::bundle
