// The decision record's JSON writer: string escaping (checked against a byte-at-a-time
// reference at every position around the eight-byte blocks the fast path reads), invalid
// UTF-8 replaced, and the commas and colons of nested containers. What it writes must parse
// as the JSON it claims to be, or the log's records cannot be read back.
#include "policy/decision/json_writer.h"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace crossgate::decision {
namespace {

std::string escaped(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

// The escaping rules one byte at a time, for texts of ASCII (where no UTF-8 decoding
// applies): what the eight-at-a-time scan must agree with.
std::string reference(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

TEST_CASE("plain text is copied as it is, specials are escaped", "[json_writer]") {
  CHECK(escaped("").empty());
  CHECK(escaped("arn:aws:bedrock:us-east-1::foundation-model/x") ==
        "arn:aws:bedrock:us-east-1::foundation-model/x");
  CHECK(escaped(R"(say "hi" \ bye)") == R"(say \"hi\" \\ bye)");
  CHECK(escaped("a\nb\rc\td") == R"(a\nb\rc\td)");
  CHECK(escaped(std::string("\x00\x01\x1f\x7f", 4)) == "\\u0000\\u0001\\u001f\x7f");
}

TEST_CASE("every special byte is found at every offset of a block", "[json_writer]") {
  // Each special byte between runs of plain text of every length from 0 to 17, so it lands
  // at each position of an eight-byte block, first, last and alone; also two specials in
  // one block, where the scan must stop at the first.
  const std::string specials[] = {"\"", "\\", "\n", std::string(1, '\0'), "\x1f", "\x01"};
  for (const std::string& special : specials) {
    for (std::size_t before = 0; before <= 17; ++before) {
      for (std::size_t after = 0; after <= 9; ++after) {
        std::string text = std::string(before, 'a') + special + std::string(after, ' ') + "\"";
        INFO("special " << static_cast<int>(special[0]) << " after " << before << " bytes");
        CHECK(escaped(text) == reference(text));
      }
    }
  }
  // The bytes just around each threshold the block test uses.
  std::string all;
  for (int c = 0; c < 0x80; ++c)
    all += static_cast<char>(c);
  for (std::size_t shift = 0; shift < 8; ++shift) {
    std::string text = std::string(shift, '~') + all + all;
    CHECK(escaped(text) == reference(text));
  }
}

TEST_CASE("UTF-8 is kept and invalid bytes become U+FFFD", "[json_writer]") {
  CHECK(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(escaped("12345678\xc3\xa9"
                "9") ==
        "12345678\xc3\xa9"
        "9");
  CHECK(escaped("bad \xff byte") == "bad \xEF\xBF\xBD byte");
  CHECK(escaped("cut \xc3") == "cut \xEF\xBF\xBD");
  CHECK(escaped("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  // Whatever the input, the output is valid JSON that reads back.
  std::string hostile = "\"\\\x01\xff\xc3(\n\xe2\x82\x28\t}{";
  nlohmann::json parsed = nlohmann::json::parse("\"" + escaped(hostile) + "\"", nullptr, false);
  CHECK(parsed.is_string());
}

TEST_CASE("containers get their commas and keys their colons", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("seq", std::int64_t{42})
      .field("decision", "DENY")
      .strings("reasons", {"NO_EXPLICIT_TRUST", "UNATTRIBUTED"})
      .key("owners")
      .begin_object()
      .key("identity")
      .null()
      .field_bool("emergency", false)
      .end_object()
      .key("empty")
      .begin_array()
      .end_array()
      .key("context")
      .raw(R"({"k":1})")
      .field_time("time", 0)
      .end_object();
  CHECK(out == R"({"seq":42,"decision":"DENY","reasons":["NO_EXPLICIT_TRUST","UNATTRIBUTED"],)"
               R"("owners":{"identity":null,"emergency":false},"empty":[],"context":{"k":1},)"
               R"("time":"1970-01-01T00:00:00.000Z"})");
  CHECK(nlohmann::json::parse(out, nullptr, false).is_object());
}

}  // namespace
}  // namespace crossgate::decision
