// Strict base64url decoding: the only accepted spelling of each byte string.
#include "policy/identity/base64url.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "tests/support/jwt_minter.h"

namespace crossgate::identity {
namespace {

using Catch::Matchers::ContainsSubstring;

TEST_CASE("base64url decodes what the minter encodes, for every length", "[identity]") {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto decoded = base64url_decode(testing::base64url(bytes));
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
    bytes.push_back(static_cast<char>(i * 37 + 251));  // every byte value class, incl. >= 0x80
  }
  CHECK(base64url_decode("").ok());
  CHECK(*base64url_decode("-_8") == "\xfb\xff");
}

TEST_CASE("base64url refuses padding, the standard alphabet and stray characters", "[identity]") {
  CHECK_THAT(base64url_decode("YQ==").message(), ContainsSubstring("padding"));
  CHECK_THAT(base64url_decode("YWJj=").message(), ContainsSubstring("padding"));
  CHECK_THAT(base64url_decode("+/8").message(), ContainsSubstring("standard base64"));
  CHECK_THAT(base64url_decode("YW Jj").message(), ContainsSubstring("offset 2"));
  CHECK_THAT(base64url_decode("YWJj\n").message(), ContainsSubstring("invalid"));
  CHECK_THAT(base64url_decode("YWJjZ").message(), ContainsSubstring("length"));
}

TEST_CASE("base64url refuses non-canonical trailing bits", "[identity]") {
  CHECK(*base64url_decode("YQ") == "a");
  CHECK_THAT(base64url_decode("YR").message(), ContainsSubstring("non-canonical"));
  CHECK(*base64url_decode("YWI") == "ab");
  CHECK_THAT(base64url_decode("YWJ").message(), ContainsSubstring("non-canonical"));
}

}  // namespace
}  // namespace crossgate::identity
