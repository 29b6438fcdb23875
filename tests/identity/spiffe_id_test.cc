// SPIFFE ID syntax and trust domain extraction (SPIFFE-ID.md section 2).
#include "policy/identity/spiffe_id.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "policy/identity/jwt.h"

namespace crossgate::identity {
namespace {

using Catch::Matchers::ContainsSubstring;

TEST_CASE("valid workload SPIFFE IDs", "[identity]") {
  auto id = GENERATE(as<std::string>{}, "spiffe://example.org/app",
                     "spiffe://prod.example.com/ns/payments/sa/api",
                     "spiffe://a-b_c.d0/Mixed.Case-path_9/x",
                     "spiffe://example.org/9eebccd2-12bf-40a6-b262-65fe0487d453",
                     "spiffe://example.org/...", "spiffe://example.org/.a");
  CAPTURE(id);
  CHECK(is_workload_spiffe_id(id));
}

TEST_CASE("invalid SPIFFE IDs say what is wrong", "[identity]") {
  auto [id, problem] = GENERATE(table<std::string, std::string>({
      {"", "scheme"},
      {"https://example.org/app", "scheme"},
      {"SPIFFE://example.org/app", "scheme"},
      {"spiffe:/example.org/app", "scheme"},
      {"spiffe:///app", "trust domain is empty"},
      {"spiffe://Example.org/app", "lowercase"},
      {"spiffe://example.org:8080/app", "port"},
      {"spiffe://user@example.org/app", "user info"},
      {"spiffe://exa%6dple.org/app", "percent"},
      {"spiffe://example.org/app/", "trailing slash"},
      {"spiffe://example.org//app", "empty segment"},
      {"spiffe://example.org/a/./b", "'.' or '..'"},
      {"spiffe://example.org/a/../b", "'.' or '..'"},
      {"spiffe://example.org/a%20b", "percent"},
      {"spiffe://example.org/app?x=1", "query"},
      {"spiffe://example.org/app#frag", "fragment"},
      {"spiffe://example.org?x", "query"},
      {"spiffe://example.org/ap p", "invalid character"},
      {"spiffe://exa mple.org/app", "invalid character"},
      {"spiffe://example.org/caf\xc3\xa9", "invalid character"},
      {"spiffe://example.org", "no path"},
      {"spiffe://example.org/", "trailing slash"},
  }));
  CAPTURE(id);
  auto found = spiffe_id_problem(id, /*require_path=*/true);
  REQUIRE(found.has_value());
  CHECK_THAT(*found, ContainsSubstring(problem));
}

TEST_CASE("SPIFFE ID length limits", "[identity]") {
  std::string long_path = "spiffe://example.org/" + std::string(2048 - 21, 'a');
  CHECK(is_workload_spiffe_id(long_path));
  CHECK_FALSE(is_workload_spiffe_id(long_path + "a"));
  CHECK(is_workload_spiffe_id("spiffe://" + std::string(255, 'a') + "/x"));
  CHECK_THAT(*spiffe_id_problem("spiffe://" + std::string(256, 'a') + "/x", true),
             ContainsSubstring("255"));
}

TEST_CASE("spiffe_trust_domain", "[identity]") {
  CHECK(spiffe_trust_domain("spiffe://prod.example.com/ns/x") == "prod.example.com");
  // The trust domain's own ID (no path) is a SPIFFE ID.
  CHECK(spiffe_trust_domain("spiffe://prod.example.com") == "prod.example.com");
  CHECK_FALSE(spiffe_trust_domain("spiffe://Prod.example.com/ns/x"));
  CHECK_FALSE(spiffe_trust_domain("spiffe://prod.example.com/ns/x/"));
  CHECK_FALSE(spiffe_trust_domain("prod.example.com"));
  CHECK_FALSE(spiffe_trust_domain(""));
}

}  // namespace
}  // namespace crossgate::identity
