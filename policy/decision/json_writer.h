// A minimal streaming JSON writer for the decision record, which is written once per
// decision on the hot path: appending to one string is several times faster than building
// a JSON document and serialising it. Strings are escaped as JSON requires; bytes that are
// not valid UTF-8 become U+FFFD, so that a hostile request field can never make a line
// unreadable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/common/time.h"

namespace crossgate::decision {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Already serialised JSON (e.g. the request's extra context).
  JsonWriter& raw(std::string_view json);

  // key + value in one call, for the common case.
  JsonWriter& field(std::string_view name, std::string_view value) {
    return key(name).string(value);
  }
  JsonWriter& field(std::string_view name, std::int64_t value) { return key(name).number(value); }
  JsonWriter& field_bool(std::string_view name, bool value) { return key(name).boolean(value); }
  // An RFC 3339 string (policy/common/time.h).
  JsonWriter& field_time(std::string_view name, UnixMillis at);
  JsonWriter& strings(std::string_view name, const std::vector<std::string>& values);

 private:
  void separate();

  std::string& out_;
  // Whether the innermost open container already has a member; a key puts its value next.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

// `text` as a JSON string literal body, appended to `out`.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace crossgate::decision
