// Reading a bundle (a policy bundle or an owner registry) from where it is published: a
// directory or a `.tar.gz` archive. The result is every regular file's path and content in
// memory, so that what is verified is exactly what is loaded (no second read of the disk).
//
// Archives are read defensively: absolute paths, `..` components, links, devices and
// anything but regular files and directories are refused, and the limits below bound the
// memory a hostile archive can make us use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "policy/cedar/common/result.h"

namespace crossgate::bundle {

using cedar::Error;
using cedar::Result;
using cedar::Status;

struct SourceLimits {
  std::size_t max_files = 4096;
  std::uint64_t max_file_bytes = 16u << 20;   // 16 MiB
  std::uint64_t max_total_bytes = 64u << 20;  // 64 MiB, after decompression
};

struct BundleFiles {
  // Paths relative to the bundle root with '/' separators, e.g. "policies/base.cedar".
  // An archive whose entries all sit under one top-level folder is read as if that folder
  // were the root (the usual `tar czf b.tar.gz b/`).
  std::map<std::string, std::string> files;
  std::string origin;  // the directory or archive path, for messages

  const std::string* find(const std::string& path) const {
    auto it = files.find(path);
    return it == files.end() ? nullptr : &it->second;
  }
};

// A directory, or a file ending in `.tar.gz` / `.tgz`. Errors name the path at fault.
// Every regular file is read, hidden ones included (".DS_Store", ".git/..."), so that the
// signatures cover everything; symbolic links inside the bundle are refused (the root
// itself may be one), as are paths that are not UTF-8 or hold control characters.
Result<BundleFiles> read_bundle_source(const std::filesystem::path& path,
                                       const SourceLimits& limits = {});

// The same for an archive already in memory (e.g. downloaded), `origin` naming it.
Result<BundleFiles> read_bundle_archive(const std::string& archive_bytes, const std::string& origin,
                                        const SourceLimits& limits = {});

}  // namespace crossgate::bundle
