// RFC 3339 as records and registries write it: the fixed-layout writer against the parser,
// across leap days, the epoch's negative side and the edges of four-digit years.
#include "policy/common/time.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

namespace crossgate {
namespace {

TEST_CASE("format_rfc3339 writes milliseconds and Z, and parses back", "[time]") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(1'795'819'285'123) == "2026-11-27T22:41:25.123Z");
  CHECK(format_rfc3339(951'782'400'007) == "2000-02-29T00:00:00.007Z");
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339(253'402'300'799'999) == "9999-12-31T23:59:59.999Z");
  CHECK(format_rfc3339(-62'167'219'200'000) == "0000-01-01T00:00:00.000Z");
  for (UnixMillis at : {UnixMillis{0}, UnixMillis{1'795'819'285'123}, UnixMillis{-86'400'001},
                        UnixMillis{4'107'542'399'999}}) {
    CHECK(parse_rfc3339(format_rfc3339(at)) == at);
  }
}

TEST_CASE("format_rfc3339 still spells years beyond four digits", "[time]") {
  CHECK(format_rfc3339(253'402'300'800'000) == "10000-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(-62'167'219'200'001) == "-001-12-31T23:59:59.999Z");
}

TEST_CASE("append_rfc3339 appends to what is there", "[time]") {
  std::string out = "\"time\":\"";
  append_rfc3339(out, 0);
  out += '"';
  CHECK(out == "\"time\":\"1970-01-01T00:00:00.000Z\"");
}

}  // namespace
}  // namespace crossgate
