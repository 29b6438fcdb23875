#include "server/reload/last_good_store.h"

#include <chrono>
#include <fstream>

namespace crossgate::server {

namespace fs = std::filesystem;

fs::path LastGoodStore::folder(bundle::BundleKind kind) const {
  return dir_ / ("last-good-" + std::string(bundle::kind_name(kind)));
}

std::optional<fs::path> LastGoodStore::saved(bundle::BundleKind kind) const {
  if (!enabled()) return std::nullopt;
  std::error_code ec;
  fs::path path = folder(kind);
  if (!fs::is_directory(path, ec)) return std::nullopt;
  return path;
}

std::optional<UnixMillis> LastGoodStore::saved_at(bundle::BundleKind kind) const {
  std::optional<fs::path> path = saved(kind);
  if (!path) return std::nullopt;
  // The folder is renamed into place once written and never changed after, so its
  // modification time is when it was saved.
  std::error_code ec;
  fs::file_time_type written = fs::last_write_time(*path, ec);
  if (ec) return std::nullopt;
  auto since_epoch = std::chrono::file_clock::to_sys(written).time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

cedar::Status LastGoodStore::save(bundle::BundleKind kind, const bundle::BundleFiles& files) const {
  if (!enabled()) return cedar::Ok{};
  fs::path target = folder(kind);
  fs::path staging = fs::path(target.string() + ".new");
  fs::path previous = fs::path(target.string() + ".old");
  std::error_code ec;
  fs::remove_all(staging, ec);
  for (const auto& [relative, content] : files.files) {
    fs::path file = staging / relative;
    fs::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return cedar::Error{file.string() + ": cannot write the last good copy"};
  }
  // Swap in with renames, so that a crash leaves either the old copy or the new one.
  fs::remove_all(previous, ec);
  if (fs::exists(target, ec)) fs::rename(target, previous, ec);
  fs::rename(staging, target, ec);
  if (ec) return cedar::Error{target.string() + ": " + ec.message()};
  fs::remove_all(previous, ec);
  return cedar::Ok{};
}

}  // namespace crossgate::server
