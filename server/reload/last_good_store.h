// The last good version of each kind, kept in the daemon's state folder so that a cold
// start still serves when the source is unreachable. A saved copy is re-verified like
// any other source when it is used: the folder is a cache, not a trust anchor.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "policy/bundle/bundle_source.h"
#include "policy/bundle/signatures.h"
#include "policy/cedar/common/result.h"
#include "policy/common/time.h"

namespace crossgate::server {

class LastGoodStore {
 public:
  explicit LastGoodStore(std::filesystem::path state_dir) : dir_(std::move(state_dir)) {}

  // Replaces the saved copy of `kind` with `files` (written aside, then renamed into place).
  cedar::Status save(bundle::BundleKind kind, const bundle::BundleFiles& files) const;

  // The saved copy's folder, if there is one.
  std::optional<std::filesystem::path> saved(bundle::BundleKind kind) const;

  // When the saved copy was written (it was active and current then).
  std::optional<UnixMillis> saved_at(bundle::BundleKind kind) const;

  bool enabled() const { return !dir_.empty(); }

 private:
  std::filesystem::path folder(bundle::BundleKind kind) const;
  std::filesystem::path dir_;
};

}  // namespace crossgate::server
