// Atomic file replacement with POSIX calls (see atomic_write.h): std::ofstream cannot
// fsync, and without fsync a crash after rename may leave an empty file.
#include "policy/bundle/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace crossgate::bundle {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

// Closes on every path out, so an early error cannot leak the descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release_and_close() {
    int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

cedar::Status write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return cedar::Error{errno_text(errno)};
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return cedar::Ok{};
}

}  // namespace

cedar::Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  std::filesystem::path temporary = target;
  temporary += ".tmp." + std::to_string(::getpid());
  const std::string name = target.string();
  Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (fd.get() < 0) {
    return cedar::Error{name + ": cannot create " + temporary.filename().string() + ": " +
                        errno_text(errno)};
  }
  auto fail = [&](const std::string& what, int error) -> cedar::Status {
    ::unlink(temporary.c_str());
    return cedar::Error{name + ": " + what + ": " + errno_text(error)};
  };
  if (cedar::Status written = write_all(fd.get(), content); !written) {
    ::unlink(temporary.c_str());
    return cedar::Error{name + ": cannot write: " + written.message()};
  }
  if (::fsync(fd.get()) != 0) return fail("cannot flush to disk", errno);
  if (fd.release_and_close() != 0) return fail("cannot write", errno);
  if (::rename(temporary.c_str(), target.c_str()) != 0) return fail("cannot replace", errno);
  // The rename itself lives in the directory; flush it too (best effort: some file systems
  // refuse fsync on directories, and the content is already safe).
  std::filesystem::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) static_cast<void>(::fsync(dir.get()));
  return cedar::Ok{};
}

}  // namespace crossgate::bundle
