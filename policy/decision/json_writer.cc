#include "policy/decision/json_writer.h"

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "policy/cedar/common/utf8.h"

namespace crossgate::decision {

namespace {

bool is_plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// How many bytes at the start of `text` can be copied as they are: printable ASCII other
// than '"' and '\\'. Records are mostly such text, so eight bytes are tested at a time:
// a byte's high bit is set in `special` if it is a control character (the subtraction
// borrows), a quote or a backslash (it is zero after the xor), or not ASCII. A borrow can
// also flag bytes above a flagged one, never below it, so the lowest flag is exact.
std::size_t plain_prefix(std::string_view text) {
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    for (; i + 8 <= text.size(); i += 8) {
      std::uint64_t x;
      std::memcpy(&x, text.data() + i, sizeof x);
      std::uint64_t quote = x ^ (kOnes * '"');
      std::uint64_t backslash = x ^ (kOnes * '\\');
      std::uint64_t special = ((x - kOnes * 0x20) | ((quote - kOnes) & ~quote) |
                               ((backslash - kOnes) & ~backslash) | x) &
                              kHigh;
      if (special != 0) return i + static_cast<std::size_t>(std::countr_zero(special) / 8);
    }
  }
  while (i < text.size() && is_plain(static_cast<unsigned char>(text[i])))
    ++i;
  return i;
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = plain_prefix(text.substr(i));
    out.append(text.data() + i, run);
    i += run;
    if (i == text.size()) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
      }
      ++i;
    } else {
      cedar::CodePoint cp = cedar::decode_utf8(text, i);
      if (cp.length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(text.data() + i, cp.length);
        i += cp.length;
      }
    }
  }
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_member_.empty()) {
    if (has_member_.back()) out_ += ',';
    has_member_.back() = true;
  }
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  has_member_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  has_member_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  has_member_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  has_member_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  out_ += '"';
  append_json_escaped(out_, name);
  out_ += "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  separate();
  out_ += '"';
  append_json_escaped(out_, value);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::number(std::int64_t value) {
  separate();
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::field_time(std::string_view name, UnixMillis at) {
  key(name);
  separate();
  out_ += '"';
  append_rfc3339(out_, at);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::strings(std::string_view name, const std::vector<std::string>& values) {
  key(name).begin_array();
  for (const std::string& v : values)
    string(v);
  return end_array();
}

}  // namespace crossgate::decision
