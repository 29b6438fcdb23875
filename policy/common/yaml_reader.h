// Reading YAML records and configuration with errors that point at the place: every
// message is "file:line:column: field.path: what is wrong". Unknown keys are refused, so
// that a misspelt security setting fails loudly instead of being ignored.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"

namespace crossgate::yaml {

using cedar::Error;
using cedar::Result;

// Bounds on one document, so that a hostile file cannot make a reader use unbounded
// memory, stack or time. Nodes count every time they are reached, so an alias repeated
// many times ("billion laughs") counts as what it expands to.
inline constexpr std::size_t kMaxYamlBytes = 16u << 20;
inline constexpr int kMaxYamlDepth = 32;
inline constexpr std::size_t kMaxYamlNodes = 1u << 22;

// Parses a whole document. Errors carry the line and column yaml-cpp reports; a document
// beyond the bounds above is refused naming the place where it went beyond them.
Result<YAML::Node> parse(std::string_view text, const std::string& source);

// A mapping being read. The first problem found is kept; later calls keep returning
// defaults, so a reader can read every field and check ok() once at the end.
class MapReader {
 public:
  // `node` must outlive the reader. `path` is the dotted location of `node`
  // ("workloads[2]"), empty at the top level.
  MapReader(const YAML::Node& node, const std::string& source, std::string path);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Records a problem at this mapping (or at `key` when given and present).
  void fail(const std::string& message, const char* key = nullptr);

  bool has(const char* key) const;
  std::string required_string(const char* key);
  std::string optional_string(const char* key, const std::string& fallback = "");
  std::int64_t required_int(const char* key);
  std::int64_t optional_int(const char* key, std::int64_t fallback);
  bool optional_bool(const char* key, bool fallback);
  std::vector<std::string> string_list(const char* key, bool required = false);
  // RFC 3339 timestamp in milliseconds since the epoch.
  std::int64_t required_time(const char* key);
  std::optional<std::int64_t> optional_time(const char* key);

  // Calls `read` for each element of the sequence under `key`, with a reader for that
  // element (which must be a mapping).
  void each(const char* key, bool required, const std::function<void(MapReader&)>& read);
  // A nested mapping under `key`; when absent and not required, `read` is not called.
  void child(const char* key, bool required, const std::function<void(MapReader&)>& read);

  // Fails on any key not in `known`.
  void allow_only(std::initializer_list<const char*> known);

  std::string where(const char* key = nullptr) const;  // "file:line:col: path.key"
  const YAML::Node& node() const { return node_; }
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }

 private:
  // The scalar under `key` as text, or nullopt (after recording why when required or
  // when it is not a scalar).
  std::optional<YAML::Node> scalar(const char* key, bool required, const char* expected);
  std::string key_path(const char* key) const;
  void adopt(const MapReader& child);

  YAML::Node node_;
  std::string source_;
  std::string path_;
  std::string error_;
};

}  // namespace crossgate::yaml
