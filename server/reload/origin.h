// Where a policy bundle or owner registry is published, and how to tell that it changed:
// a local path (a folder or a .tar.gz), watched by comparing a fingerprint of its files'
// names, sizes and modification times; or an HTTP(S) URL serving a .tar.gz, polled with
// If-None-Match so that an unchanged bundle costs a 304 and no download.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "policy/bundle/bundle_source.h"

namespace crossgate::server {

struct Fetch {
  enum class Outcome : std::uint8_t { kUnchanged, kChanged, kFailed };
  Outcome outcome = Outcome::kFailed;
  bundle::BundleFiles files;  // with kChanged
  std::string error;          // with kFailed
};

class Origin {
 public:
  virtual ~Origin() = default;
  // kUnchanged when nothing changed since the last kChanged (unless `force`).
  virtual Fetch fetch(bool force) = 0;
  virtual std::string describe() const = 0;
};

std::unique_ptr<Origin> path_origin(std::filesystem::path path);

struct UrlOptions {
  std::string url;
  std::string ca_file;  // PEM bundle to verify the server; empty: the system's
  long timeout_seconds = 20;
};
std::unique_ptr<Origin> url_origin(UrlOptions options);

}  // namespace crossgate::server
