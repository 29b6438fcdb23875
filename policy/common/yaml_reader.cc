#include "policy/common/yaml_reader.h"

#include <algorithm>
#include <charconv>

#include "policy/common/time.h"

namespace crossgate::yaml {

namespace {

std::string at(const std::string& source, const YAML::Mark& mark) {
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// Walks the document as a reader would (aliases expanded), stopping at the first node
// beyond kMaxYamlDepth or kMaxYamlNodes. The walk is bounded by both, so it is cheap.
std::string check_bounds(const YAML::Node& node, const std::string& source, int depth,
                         std::size_t& nodes) {
  if (++nodes > kMaxYamlNodes) {
    return at(source, node.Mark()) + ": more than " + std::to_string(kMaxYamlNodes) +
           " YAML nodes (counting each use of an alias)";
  }
  if (depth > kMaxYamlDepth) {
    return at(source, node.Mark()) + ": YAML nests more than " + std::to_string(kMaxYamlDepth) +
           " levels deep";
  }
  if (node.IsSequence()) {
    for (const YAML::Node& element : node) {
      std::string error = check_bounds(element, source, depth + 1, nodes);
      if (!error.empty()) return error;
    }
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      std::string error = check_bounds(entry.first, source, depth + 1, nodes);
      if (error.empty()) error = check_bounds(entry.second, source, depth + 1, nodes);
      if (!error.empty()) return error;
    }
  }
  return "";
}

}  // namespace

Result<YAML::Node> parse(std::string_view text, const std::string& source) {
  if (text.size() > kMaxYamlBytes) {
    return Error{source + ": larger than " + std::to_string(kMaxYamlBytes) + " bytes"};
  }
  try {
    YAML::Node node = YAML::Load(std::string(text));
    std::size_t nodes = 0;
    std::string error = check_bounds(node, source, 0, nodes);
    if (!error.empty()) return Error{error};
    return node;
  } catch (const YAML::Exception& e) {
    return Error{source + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg};
  }
}

MapReader::MapReader(const YAML::Node& node, const std::string& source, std::string path)
    : node_(node), source_(source), path_(std::move(path)) {
  if (!node_.IsMap()) {
    fail(node_.IsDefined() && !node_.IsNull() ? "expected a mapping"
                                              : "expected a mapping, found nothing");
  }
}

std::string MapReader::key_path(const char* key) const {
  if (key == nullptr) return path_;
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

std::string MapReader::where(const char* key) const {
  YAML::Mark mark = node_.Mark();
  if (key != nullptr && node_.IsMap() && node_[key]) mark = node_[key].Mark();
  std::string out = source_;
  if (mark.line >= 0)
    out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  std::string at = key_path(key);
  if (!at.empty()) out += ": " + at;
  return out;
}

void MapReader::fail(const std::string& message, const char* key) {
  if (!error_.empty()) return;
  error_ = where(key) + ": " + message;
}

void MapReader::adopt(const MapReader& child) {
  if (error_.empty() && !child.error_.empty()) error_ = child.error_;
}

bool MapReader::has(const char* key) const {
  return node_.IsMap() && node_[key] && !node_[key].IsNull();
}

std::optional<YAML::Node> MapReader::scalar(const char* key, bool required, const char* expected) {
  if (!ok()) return std::nullopt;
  if (!has(key)) {
    if (required) fail(std::string("missing required field (") + expected + ")", key);
    return std::nullopt;
  }
  YAML::Node value = node_[key];
  if (!value.IsScalar()) {
    fail(std::string("expected ") + expected, key);
    return std::nullopt;
  }
  return value;
}

std::string MapReader::required_string(const char* key) {
  std::optional<YAML::Node> v = scalar(key, true, "a string");
  if (!v) return {};
  std::string text = v->Scalar();
  if (text.empty()) fail("must not be empty", key);
  return text;
}

std::string MapReader::optional_string(const char* key, const std::string& fallback) {
  std::optional<YAML::Node> v = scalar(key, false, "a string");
  return v ? v->Scalar() : fallback;
}

namespace {

bool to_int(const std::string& text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::int64_t MapReader::required_int(const char* key) {
  std::optional<YAML::Node> v = scalar(key, true, "an integer");
  std::int64_t out = 0;
  if (v && !to_int(v->Scalar(), out)) fail("expected an integer, found `" + v->Scalar() + "`", key);
  return out;
}

std::int64_t MapReader::optional_int(const char* key, std::int64_t fallback) {
  std::optional<YAML::Node> v = scalar(key, false, "an integer");
  if (!v) return fallback;
  std::int64_t out = fallback;
  if (!to_int(v->Scalar(), out)) fail("expected an integer, found `" + v->Scalar() + "`", key);
  return out;
}

bool MapReader::optional_bool(const char* key, bool fallback) {
  std::optional<YAML::Node> v = scalar(key, false, "true or false");
  if (!v) return fallback;
  const std::string& text = v->Scalar();
  if (text == "true") return true;
  if (text == "false") return false;
  fail("expected true or false, found `" + text + "`", key);
  return fallback;
}

std::vector<std::string> MapReader::string_list(const char* key, bool required) {
  std::vector<std::string> out;
  if (!ok()) return out;
  if (!has(key)) {
    if (required) fail("missing required field (a list of strings)", key);
    return out;
  }
  YAML::Node list = node_[key];
  if (!list.IsSequence()) {
    fail("expected a list of strings", key);
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].IsScalar() || list[i].Scalar().empty()) {
      fail("element " + std::to_string(i) + " must be a non-empty string", key);
      return {};
    }
    out.push_back(list[i].Scalar());
  }
  return out;
}

std::int64_t MapReader::required_time(const char* key) {
  std::optional<YAML::Node> v = scalar(key, true, "an RFC 3339 time");
  if (!v) return 0;
  std::optional<UnixMillis> at = parse_rfc3339(v->Scalar());
  if (!at) {
    fail("expected an RFC 3339 time such as 2027-01-31T00:00:00Z, found `" + v->Scalar() + "`",
         key);
    return 0;
  }
  return *at;
}

std::optional<std::int64_t> MapReader::optional_time(const char* key) {
  if (!has(key)) return std::nullopt;
  return required_time(key);
}

void MapReader::each(const char* key, bool required, const std::function<void(MapReader&)>& read) {
  if (!ok()) return;
  if (!has(key)) {
    if (required) fail("missing required field (a list)", key);
    return;
  }
  YAML::Node list = node_[key];
  if (!list.IsSequence()) {
    fail("expected a list", key);
    return;
  }
  for (std::size_t i = 0; i < list.size() && ok(); ++i) {
    MapReader element(list[i], source_, key_path(key) + "[" + std::to_string(i) + "]");
    if (element.ok()) read(element);
    adopt(element);
  }
}

void MapReader::child(const char* key, bool required, const std::function<void(MapReader&)>& read) {
  if (!ok()) return;
  if (!has(key)) {
    if (required) fail("missing required field (a mapping)", key);
    return;
  }
  MapReader nested(node_[key], source_, key_path(key));
  if (nested.ok()) read(nested);
  adopt(nested);
}

void MapReader::allow_only(std::initializer_list<const char*> known) {
  if (!ok() || !node_.IsMap()) return;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) {
      // `? [a, b]: x` is YAML too; converting its key to a name would throw.
      error_ = at(source_, entry.first.Mark()) + ": " + (path_.empty() ? "" : path_ + ": ") +
               "a key must be a name, not a sequence, mapping or null";
      return;
    }
    std::string name = entry.first.as<std::string>();
    bool found = std::any_of(known.begin(), known.end(), [&](const char* k) { return name == k; });
    if (!found) {
      std::string expected;
      for (const char* k : known)
        expected += std::string(expected.empty() ? "" : ", ") + k;
      error_ = where() + ": unknown field `" + name + "` (expected one of: " + expected + ")";
      if (entry.first.Mark().line >= 0) {
        error_ = source_ + ":" + std::to_string(entry.first.Mark().line + 1) + ":" +
                 std::to_string(entry.first.Mark().column + 1) + ": " +
                 (path_.empty() ? "" : path_ + ": ") + "unknown field `" + name +
                 "` (expected one of: " + expected + ")";
      }
      return;
    }
  }
}

}  // namespace crossgate::yaml
