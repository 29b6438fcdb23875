// Reading YAML documents (bundle manifests, registry records, configuration) that are
// hostile or malformed: the bounds yaml::parse puts on size, nesting and expanded node
// count, and mapping keys that are not names, each refused with the file and the place.
#include "policy/common/yaml_reader.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

namespace crossgate::yaml {
namespace {

using Catch::Matchers::ContainsSubstring;

std::string flow_lists(int levels) {
  return std::string(levels, '[') + "1" + std::string(levels, ']');
}

TEST_CASE("YAML nested deeper than 32 levels is refused with its place", "[yaml][limits]") {
  CHECK(parse("a: " + flow_lists(31), "ok.yaml").ok());
  auto refused = parse("a: " + flow_lists(40), "deep.yaml");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), ContainsSubstring("deep.yaml:1:"));
  CHECK_THAT(refused.message(), ContainsSubstring("nests more than 32 levels"));
}

TEST_CASE("YAML nested far beyond the limit is refused, not a crash", "[yaml][limits]") {
  // yaml-cpp's own guard stops at 2000 levels; deeper still must be an error too.
  auto refused = parse(flow_lists(5000), "very-deep.yaml");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), ContainsSubstring("very-deep.yaml"));
}

TEST_CASE("aliases that expand beyond the node limit are refused", "[yaml][limits]") {
  // Each level holds 10 aliases of the previous one: 10^8 nodes once expanded, from a
  // file of a few hundred bytes.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 8; ++level) {
    std::string previous = "*l" + std::to_string(level - 1);
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i)
      text += (i > 0 ? ", " : "") + previous;
    text += "]\n";
  }
  auto refused = parse(text, "laughs.yaml");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), ContainsSubstring("laughs.yaml:"));
  CHECK_THAT(refused.message(), ContainsSubstring("YAML nodes (counting each use of an alias)"));
}

TEST_CASE("YAML larger than 16 MiB is refused before parsing", "[yaml][limits]") {
  std::string text = "a: \"" + std::string(kMaxYamlBytes, 'x') + "\"\n";
  auto refused = parse(text, "big.yaml");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), ContainsSubstring("big.yaml: larger than 16777216 bytes"));
}

TEST_CASE("a mapping key that is not a name is refused, not a crash", "[yaml][fuzz-regression]") {
  // yaml_records_fuzzer: `? - .` (a sequence as a key) in crossgate.yaml threw from
  // allow_only and ended the process.
  for (const char* text : {"? - .\n: x\n", "? [a, b]\n: x\n", "? {a: 1}\n: x\n"}) {
    auto doc = parse(text, "keys.yaml");
    REQUIRE(doc.ok());
    MapReader reader(*doc, "keys.yaml", "");
    reader.allow_only({"kind", "name"});
    REQUIRE_FALSE(reader.ok());
    CHECK_THAT(reader.error(), ContainsSubstring("keys.yaml:1:"));
    CHECK_THAT(reader.error(), ContainsSubstring("a key must be a name"));
  }
  auto nested = parse("listen:\n  ? [x]\n  : y\n", "nested.yaml");
  REQUIRE(nested.ok());
  MapReader top(*nested, "nested.yaml", "");
  top.child("listen", true, [](MapReader& listen) { listen.allow_only({"address"}); });
  CHECK_THAT(top.error(), ContainsSubstring("nested.yaml:2:5: listen: a key must be a name"));
}

}  // namespace
}  // namespace crossgate::yaml
