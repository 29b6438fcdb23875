// Small helpers shared by the fuzz targets: the input as text, files of the checkout
// (the example bundle, registry and keys the decision fuzzers load once at start), and the
// properties the decision fuzzers check of what they produce.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

namespace crossgate::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A file under the source tree. The fixed world of a fuzzer must load, or every run
// would only exercise the error path: a missing file stops the fuzzer at once.
inline std::string source_file(const std::string& relative) {
  std::string path = std::string(CROSSGATE_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz setup: cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// What only a token carries, for checking that no message or record quotes it: the
// signature of a compact JWS when it is at least 32 base64url characters (every accepted
// algorithm's is longer), else empty (nothing to check: a short or odd token may well be
// a substring of some fixed message, which the fuzzer then finds).
inline std::string_view jws_signature(std::string_view token) {
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) return {};
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return {};
  std::string_view signature = token.substr(second + 1);
  bool base64url = std::all_of(signature.begin(), signature.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  return signature.size() >= 32 && base64url ? signature : std::string_view{};
}

// Whatever the request held, its decision record is one line of valid JSON: the log's
// readers (`crossgate log verify`, replay) take it line by line.
inline void require_one_json_line(const std::string& record) {
  if (record.find('\n') != std::string::npos || !nlohmann::json::accept(record)) __builtin_trap();
}

// Setup that must succeed (loading the fixed world), with the reason when it does not.
template <class R>
auto& must(R& result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "fuzz setup: %s: %s\n", what, result.message().c_str());
    std::abort();
  }
  return *result;
}

}  // namespace crossgate::fuzz
