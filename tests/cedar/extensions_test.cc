// Unit tests for Cedar's extension types. Expected values follow the Rust reference
// (cedar-policy-core/src/extensions/{decimal,ipaddr,datetime}.rs) and, for toDate/toTime,
// the Lean spec (cedar-lean/Cedar/Spec/Ext/Datetime.lean).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "policy/cedar/extensions/datetime.h"
#include "policy/cedar/extensions/decimal.h"
#include "policy/cedar/extensions/ipaddr.h"

namespace crossgate::cedar::ext {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kDay = 86'400'000;

// ---------------------------------------------------------------------------------------
// decimal

std::optional<std::int64_t> decimal(std::string_view text) {
  std::optional<Decimal> d = parse_decimal(text);
  if (!d) return std::nullopt;
  return d->scaled;
}

TEST_CASE("decimal accepts digits, a point and one to four fraction digits", "[extensions]") {
  CHECK(decimal("1.0") == 10'000);
  CHECK(decimal("-1.0") == -10'000);
  CHECK(decimal("123.456") == 1'234'560);
  CHECK(decimal("0.1234") == 1'234);
  CHECK(decimal("-0.0123") == -123);
  CHECK(decimal("55.1") == 551'000);
  CHECK(decimal("00.000") == 0);
  CHECK(decimal("-0.0") == 0);
  // The sign comes from the text, not from the (zero) integer part.
  CHECK(decimal("-0.5") == -5'000);
  // Any number of leading zeros is fine.
  CHECK(decimal("0123.0") == decimal("123.0000"));
  CHECK(decimal("0000000000000000000000000001.5") == 15'000);
}

TEST_CASE("decimal accepts exactly the int64 range once scaled", "[extensions]") {
  CHECK(decimal("922337203685477.5807") == kMax);
  CHECK(decimal("-922337203685477.5808") == kMin);
  CHECK_FALSE(decimal("922337203685477.5808"));
  CHECK_FALSE(decimal("-922337203685477.5809"));
  CHECK_FALSE(decimal("1000000000000000.0"));
  CHECK_FALSE(decimal("-922337203685478.0"));
  CHECK_FALSE(decimal("922337203685478.0"));
  CHECK_FALSE(decimal("9223372036854775807.0"));
  CHECK_FALSE(decimal("99999999999999999999999.0"));  // beyond uint64 as well
}

TEST_CASE("decimal refuses other shapes", "[extensions]") {
  for (std::string_view text : {"",
                                "1234",
                                "1.",
                                ".1",
                                "1.a",
                                "-.",
                                "-",
                                ".",
                                "1.0.",
                                "1.0.0",
                                "1.12345",
                                "0.00000",
                                "+1.0",
                                " 1.0",
                                "1.0 ",
                                "1,0",
                                "--1.0",
                                "1.-1",
                                "1.+1",
                                "1e3.0",
                                "0x1.0",
                                "1 .0",
                                "\xd9\xa1.\xd9\xa0" /* Arabic-Indic digits */}) {
    INFO(text);
    CHECK_FALSE(parse_decimal(text));
  }
}

TEST_CASE("decimal prints four fraction digits", "[extensions]") {
  CHECK(to_string(Decimal{15'000}) == "1.5000");
  CHECK(to_string(Decimal{-15'000}) == "-1.5000");
  CHECK(to_string(Decimal{0}) == "0.0000");
  CHECK(to_string(Decimal{-1}) == "-0.0001");
  CHECK(to_string(Decimal{1'234'560}) == "123.4560");
  CHECK(to_string(Decimal{kMax}) == "922337203685477.5807");
  CHECK(to_string(Decimal{kMin}) == "-922337203685477.5808");
  for (std::int64_t v : {kMin, kMin + 1, std::int64_t{-10'001}, std::int64_t{7}, kMax}) {
    CHECK(parse_decimal(to_string(Decimal{v})) == Decimal{v});
  }
}

TEST_CASE("decimal orders numerically", "[extensions]") {
  CHECK(*parse_decimal("-1.0000") < *parse_decimal("-0.9999"));
  CHECK(*parse_decimal("-0.0001") < *parse_decimal("0.0"));
  CHECK(*parse_decimal("-0.0023") > *parse_decimal("-0.23"));
  CHECK(*parse_decimal("1.23") < *parse_decimal("1.24"));
  CHECK(*parse_decimal("-0.23") != *parse_decimal("0.23"));
}

// ---------------------------------------------------------------------------------------
// ipaddr

IpAddr ip(std::string_view text) {
  std::optional<IpAddr> parsed = parse_ipaddr(text);
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}

TEST_CASE("ipaddr parses IPv4 addresses and prefixes", "[extensions]") {
  IpAddr a = ip("127.0.0.1");
  CHECK_FALSE(a.is_v6);
  CHECK(a.prefix_length == 32);
  CHECK(a.high == 0);
  CHECK(a.low == 0x7f000001);

  IpAddr b = ip("10.0.0.1/24");
  CHECK(b.prefix_length == 24);
  CHECK(b.low == 0x0a000001);  // host bits are kept

  CHECK(ip("0.0.0.0/0").prefix_length == 0);
  CHECK(ip("255.255.255.255/32").low == 0xffffffff);
  CHECK(ip("1.2.3.4/9").prefix_length == 9);
}

TEST_CASE("ipaddr refuses malformed IPv4", "[extensions]") {
  for (std::string_view text :
       {"",           "127.0.0.01",  "127.0.0.00",  "01.2.3.4",    "256.0.0.1",  "1.2.3.256",
        "1234.1.1.1", "1.2.3",       "1.2.3.4.5",   "1..2.3",      "1.2.3.",     ".1.2.3",
        "1.2.3.4/33", "1.2.3.4/01",  "1.2.3.4/00",  "1.2.3.4/",    "1.2.3.4/-1", "1.2.3.4/+1",
        "1.2.3.4/3 ", "1.2.3.4/100", "1.2.3.4/032", "1.2.3.4/1/2", " 1.2.3.4",   "1.2.3.4 ",
        "1.2.3.4:80", "0x1.2.3.4",   "1.2.3.-4",    "a.b.c.d",     "/24",        "1.2.3.4%eth0"}) {
    INFO(text);
    CHECK_FALSE(parse_ipaddr(text));
  }
}

TEST_CASE("ipaddr parses IPv6 with and without ::", "[extensions]") {
  IpAddr all_zero = ip("::");
  CHECK(all_zero.is_v6);
  CHECK(all_zero.prefix_length == 128);
  CHECK(all_zero.high == 0);
  CHECK(all_zero.low == 0);

  CHECK(ip("::1").low == 1);
  CHECK(ip("1::").high == 0x0001'0000'0000'0000);
  IpAddr full = ip("1:2:3:4:5:6:7:8");
  CHECK(full.high == 0x0001'0002'0003'0004);
  CHECK(full.low == 0x0005'0006'0007'0008);
  // "::" may stand for a single zero group, at either end.
  CHECK(ip("1:2:3:4:5:6:7::") == ip("1:2:3:4:5:6:7:0"));
  CHECK(ip("::2:3:4:5:6:7:8") == ip("0:2:3:4:5:6:7:8"));
  CHECK(ip("1:2::7:8") == ip("1:2:0:0:0:0:7:8"));
  // Hex digits of either case, leading zeros up to four digits.
  CHECK(ip("FFFF::abCD").high == 0xffff'0000'0000'0000);
  CHECK(ip("FFFF::abCD").low == 0xabcd);
  CHECK(ip("0000:0000::0001") == ip("::1"));
  CHECK(ip("::/0").prefix_length == 0);
  CHECK(ip("2001:db8::/32").prefix_length == 32);
  CHECK(ip("::1/128").prefix_length == 128);
  // The longest text Rust's 43-character limit allows.
  CHECK(ip("0000:0000:0000:0000:0000:0000:0000:0001/128") == ip("::1"));
}

TEST_CASE("ipaddr refuses malformed IPv6", "[extensions]") {
  for (std::string_view text :
       {":", ":::", "1:::2", "1::2::3", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "12345::", "::12345",
        ":1::", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "1::2:", "::1/129", "::1/0128", "::1/1280",
        "::1/", "::1/01", "fe80::1%eth0", "[::1]", "g::", "::1 ", " ::1", "1: :2",
        "1:2:3:4:5:6:7:8/128 ", "00000::1",
        // IPv4 embedded in IPv6 is refused in every spelling.
        "::ffff:127.0.0.1", "::127.0.0.1", "1:2:3:4:5:6:1.2.3.4", "::ffff:1.2.3.4/128",
        "64:ff9b::192.0.2.33", "::1.2", "1.2.3.4::"}) {
    INFO(text);
    CHECK_FALSE(parse_ipaddr(text));
  }
}

TEST_CASE("ipaddr equality is structural, with the full prefix by default", "[extensions]") {
  CHECK(ip("1.2.3.4") == ip("1.2.3.4/32"));
  CHECK(ip("::1") == ip("::1/128"));
  CHECK_FALSE(ip("10.0.0.1/24") == ip("10.0.0.0/24"));
  CHECK_FALSE(ip("10.0.0.0/24") == ip("10.0.0.0/25"));
  // An IPv4-mapped address written in hex is IPv6 and never equals the IPv4 address.
  CHECK(ip("::ffff:ff00:1").is_v6);
  CHECK_FALSE(ip("::ffff:ff00:1") == ip("255.0.0.1"));
  CHECK_FALSE(ip("0.0.0.0/0") == ip("::/0"));
}

TEST_CASE("ipaddr isLoopback needs the whole range inside 127/8 or ::1", "[extensions]") {
  CHECK(ip("127.0.0.1").is_loopback());
  CHECK(ip("127.255.255.255").is_loopback());
  CHECK(ip("127.0.0.0/8").is_loopback());
  CHECK(ip("127.1.2.3/8").is_loopback());
  CHECK_FALSE(ip("127.0.0.1/7").is_loopback());
  CHECK_FALSE(ip("127.0.0.1/0").is_loopback());
  CHECK_FALSE(ip("128.0.0.1").is_loopback());
  CHECK_FALSE(ip("126.255.255.255").is_loopback());
  CHECK(ip("::1").is_loopback());
  CHECK_FALSE(ip("::1/127").is_loopback());
  CHECK_FALSE(ip("::").is_loopback());
  CHECK_FALSE(ip("::2").is_loopback());
  CHECK_FALSE(ip("::ffff:7f00:1").is_loopback());  // 127.0.0.1 mapped into IPv6
}

TEST_CASE("ipaddr isMulticast needs the whole range inside 224/4 or ff00::/8", "[extensions]") {
  CHECK(ip("224.0.0.1").is_multicast());
  CHECK(ip("239.255.255.255").is_multicast());
  CHECK(ip("224.0.0.0/4").is_multicast());
  CHECK(ip("230.1.2.3/4").is_multicast());
  CHECK_FALSE(ip("224.0.0.0/3").is_multicast());
  CHECK_FALSE(ip("240.0.0.0").is_multicast());
  CHECK_FALSE(ip("223.255.255.255").is_multicast());
  CHECK(ip("ff00::/8").is_multicast());
  CHECK(ip("ff02::1").is_multicast());
  CHECK(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").is_multicast());
  CHECK_FALSE(ip("ff00::/7").is_multicast());
  CHECK_FALSE(ip("fe00::").is_multicast());
  CHECK_FALSE(ip("::ffff:e000:1").is_multicast());  // 224.0.0.1 mapped into IPv6
}

TEST_CASE("ipaddr isInRange compares covered ranges within one family", "[extensions]") {
  CHECK(ip("10.0.0.1").is_in_range(ip("10.0.0.0/24")));
  CHECK(ip("10.0.0.255").is_in_range(ip("10.0.0.0/24")));
  CHECK_FALSE(ip("10.0.1.0").is_in_range(ip("10.0.0.0/24")));
  CHECK(ip("10.0.0.0/24").is_in_range(ip("10.0.0.0/24")));
  CHECK(ip("10.0.0.0/25").is_in_range(ip("10.0.0.0/24")));
  CHECK_FALSE(ip("10.0.0.0/23").is_in_range(ip("10.0.0.0/24")));
  // Host bits are ignored on both sides.
  CHECK(ip("10.0.0.1/24").is_in_range(ip("10.0.0.7/24")));
  CHECK(ip("10.0.0.1").is_in_range(ip("10.0.0.1")));
  CHECK_FALSE(ip("10.0.0.1").is_in_range(ip("10.0.0.2")));
  CHECK(ip("1.2.3.4").is_in_range(ip("0.0.0.0/0")));
  CHECK(ip("0.0.0.0/0").is_in_range(ip("1.2.3.4/0")));
  CHECK(ip("255.255.255.255").is_in_range(ip("128.0.0.0/1")));
  CHECK_FALSE(ip("127.255.255.255").is_in_range(ip("128.0.0.0/1")));

  // Never across families, even for the widest ranges.
  CHECK_FALSE(ip("1.2.3.4").is_in_range(ip("::/0")));
  CHECK_FALSE(ip("::1").is_in_range(ip("0.0.0.0/0")));
  CHECK_FALSE(ip("::ffff:102:304").is_in_range(ip("1.2.3.4")));

  CHECK(ip("::1").is_in_range(ip("::/0")));
  CHECK(ip("::/0").is_in_range(ip("::/0")));
  CHECK_FALSE(ip("::/0").is_in_range(ip("::/1")));
  // Prefixes that split the address at, across and within the two 64-bit halves.
  CHECK(ip("1:2:3:4::/64").is_in_range(ip("1:2:3:4::/64")));
  CHECK(ip("1:2:3:4:8000::/65").is_in_range(ip("1:2:3:4::/64")));
  CHECK(ip("1:2:3:4:ffff:ffff:ffff:ffff").is_in_range(ip("1:2:3:4::/64")));
  CHECK_FALSE(ip("1:2:3:4::/63").is_in_range(ip("1:2:3:4::/64")));
  CHECK_FALSE(ip("1:2:3:5::").is_in_range(ip("1:2:3:4::/64")));
  CHECK(ip("1:2:3:5::").is_in_range(ip("1:2:3:4::/63")));
  CHECK(ip("1:2:3:4:5:6:7:8").is_in_range(ip("1:2:3:4:5:6:7:9/127")));
  CHECK_FALSE(ip("1:2:3:4:5:6:7:a").is_in_range(ip("1:2:3:4:5:6:7:9/127")));
  CHECK(ip("2001:db8:1::/48").is_in_range(ip("2001:db8::/32")));
  CHECK_FALSE(ip("2001:db9::").is_in_range(ip("2001:db8::/32")));
  CHECK(ip("8000::").is_in_range(ip("8000::/1")));
  CHECK_FALSE(ip("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").is_in_range(ip("8000::/1")));
}

TEST_CASE("ipaddr prints like Rust's Display", "[extensions]") {
  CHECK(to_string(ip("10.0.0.1/24")) == "10.0.0.1/24");
  CHECK(to_string(ip("127.0.0.1")) == "127.0.0.1/32");
  CHECK(to_string(ip("0.0.0.0/0")) == "0.0.0.0/0");
  CHECK(to_string(ip("::1")) == "::1/128");
  CHECK(to_string(ip("::/0")) == "::/0");
  CHECK(to_string(ip("1::")) == "1::/128");
  CHECK(to_string(ip("2001:0DB8:0000:0000:0000:0000:0000:0001")) == "2001:db8::1/128");
  CHECK(to_string(ip("1:2:3:4:5:6:7:8")) == "1:2:3:4:5:6:7:8/128");
  // The longest run of zero groups is compressed, the first one on a tie, never a lone zero.
  CHECK(to_string(ip("1:0:0:2:0:0:0:3")) == "1:0:0:2::3/128");
  CHECK(to_string(ip("1:0:0:2:0:0:3:4")) == "1::2:0:0:3:4/128");
  CHECK(to_string(ip("1:0:2:3:4:5:6:7")) == "1:0:2:3:4:5:6:7/128");
  CHECK(to_string(ip("1:2:3:4:5:6:7:0")) == "1:2:3:4:5:6:7:0/128");
  CHECK(to_string(ip("0:0:1::")) == "0:0:1::/128");
  CHECK(to_string(ip("0:0:1:0:0:0:1:0")) == "0:0:1::1:0/128");
  CHECK(to_string(ip("0:0:1:0:0:1:2:3")) == "::1:0:0:1:2:3/128");
  CHECK(to_string(ip("FFFF::/8")) == "ffff::/8");
  // Rust writes IPv4-mapped addresses with a dotted quad (which ip() then refuses).
  CHECK(to_string(ip("::ffff:ff00:1")) == "::ffff:ff00:1/128");
  CHECK(to_string(ip("::ffff:0:0/96")) == "::ffff:0:0/96");
  CHECK(to_string(ip("::fffe:ff00:1")) == "::fffe:ff00:1/128");
  for (std::string_view text : {"10.0.0.1/24", "2001:db8::1/64", "1:0:0:2::3/128", "::/0"}) {
    CHECK(ip(to_string(ip(text))) == ip(text));
  }
}

TEST_CASE("ipaddr compare orders IPv4 first, then address, then prefix", "[extensions]") {
  CHECK(compare(ip("255.255.255.255"), ip("::")) == -1);
  CHECK(compare(ip("::"), ip("0.0.0.0/0")) == 1);
  CHECK(compare(ip("10.0.0.1"), ip("10.0.0.2")) == -1);
  CHECK(compare(ip("10.0.0.0/8"), ip("10.0.0.0/24")) == -1);
  CHECK(compare(ip("10.0.0.0/24"), ip("10.0.0.1/8")) == -1);
  CHECK(compare(ip("10.0.0.1/8"), ip("10.0.0.0/24")) == 1);
  CHECK(compare(ip("1.2.3.4"), ip("1.2.3.4/32")) == 0);
  // The high half dominates.
  CHECK(compare(ip("1::"), ip("0:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) == 1);
  CHECK(compare(ip("::1/64"), ip("::2/0")) == -1);
  CHECK(compare(ip("::1"), ip("::1")) == 0);
}

// ---------------------------------------------------------------------------------------
// datetime

std::optional<std::int64_t> datetime(std::string_view text) {
  std::optional<Datetime> d = parse_datetime(text);
  if (!d) return std::nullopt;
  return d->millis_since_epoch;
}

TEST_CASE("datetime accepts the five formats", "[extensions]") {
  CHECK(datetime("1970-01-01") == 0);
  CHECK(datetime("2024-10-15") == 1'728'950'400'000);
  CHECK(datetime("2024-10-15T11:35:00Z") == 1'728'992'100'000);
  CHECK(datetime("2024-10-15T11:35:00.123Z") == 1'728'992'100'123);
  CHECK(datetime("2024-10-15T11:35:00+0100") == 1'728'992'100'000 - 3'600'000);
  CHECK(datetime("2024-10-15T11:35:00.500-0130") == 1'728'992'100'500 + 5'400'000);
  CHECK(datetime("2024-10-15T11:35:00-0000") == datetime("2024-10-15T11:35:00Z"));
  CHECK(datetime("1969-12-31T23:59:59.999Z") == -1);
  CHECK(datetime("1970-01-01T00:00:00+0001") == -60'000);
}

TEST_CASE("datetime covers years 0000 to 9999 with offsets up to 23:59", "[extensions]") {
  CHECK(datetime("0000-01-01") == -62'167'219'200'000);
  CHECK(datetime("9999-12-31T23:59:59.999Z") == 253'402'300'799'999);
  CHECK(datetime("0000-01-01T00:00:00+2359") == -62'167'219'200'000 - 86'340'000);
  CHECK(datetime("9999-12-31T23:59:59.999-2359") == 253'402'300'799'999 + 86'340'000);
  CHECK_FALSE(datetime("2024-01-01T00:00:00+2400"));
  CHECK_FALSE(datetime("2024-01-01T00:00:00-2400"));
  CHECK_FALSE(datetime("2024-01-01T00:00:00+0060"));
  CHECK_FALSE(datetime("2024-01-01T00:00:00+2360"));
  CHECK_FALSE(datetime("2024-01-01T00:00:00.000+9999"));
}

TEST_CASE("datetime refuses impossible dates, times and leap seconds", "[extensions]") {
  CHECK(datetime("2024-02-29"));
  CHECK(datetime("2000-02-29"));
  CHECK(datetime("0000-02-29"));  // year 0 is a leap year (divisible by 400)
  CHECK(datetime("2024-12-31T23:59:59Z"));
  for (std::string_view text :
       {"2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31", "2024-06-31", "2024-00-01",
        "2024-13-01", "2024-01-00", "2024-01-32", "2024-01-01T23:59:60Z", "2016-12-31T23:59:60Z",
        "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T99:00:00Z"}) {
    INFO(text);
    CHECK_FALSE(parse_datetime(text));
  }
}

TEST_CASE("datetime refuses other shapes", "[extensions]") {
  for (std::string_view text : {"",
                                "2024",
                                "2024-01",
                                "24-01-01",
                                "20240-01-01",
                                "2024-1-01",
                                "2024-01-1",
                                "2024/01/01",
                                " 2024-01-01",
                                "2024-01-01 ",
                                "-2024-01-01",
                                "+2024-01-01",
                                "2024-01-01T",
                                "2024-01-01Z",
                                "2024-01-01T00:00:00",
                                "2024-01-01T00:00Z",
                                "2024-01-01 00:00:00Z",
                                "2024-01-01t00:00:00Z",
                                "2024-01-01T00:00:00z",
                                "2024-01-01T00:00:00.12Z",
                                "2024-01-01T00:00:00.1234Z",
                                "2024-01-01T00:00:00.Z",
                                "2024-01-01T00:00:00.000",
                                "2024-01-01T00:00:00+01",
                                "2024-01-01T00:00:00+01:00",
                                "2024-01-01T00:00:00+0100Z",
                                "2024-01-01T00:00:00Z ",
                                "2024-01-01T00:00:00ZZ",
                                "2024-01-01T0:00:00Z",
                                "2024-01-01T00:00:0Z",
                                "2024-01-01T00:00:00,000Z",
                                "2024-01-01T00:00:00.000+010",
                                "2024-0a-01",
                                "\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa4-01-01"}) {
    INFO(text);
    CHECK_FALSE(parse_datetime(text));
  }
}

TEST_CASE("datetime prints as UTC with milliseconds", "[extensions]") {
  CHECK(to_string(Datetime{0}) == "1970-01-01T00:00:00.000Z");
  CHECK(to_string(Datetime{1'728'992'100'000}) == "2024-10-15T11:35:00.000Z");
  CHECK(to_string(Datetime{-1}) == "1969-12-31T23:59:59.999Z");
  CHECK(to_string(*parse_datetime("2024-02-29T01:02:03.004+0506")) == "2024-02-28T19:56:03.004Z");
  CHECK(to_string(*parse_datetime("0000-01-01")) == "0000-01-01T00:00:00.000Z");
  CHECK(to_string(*parse_datetime("9999-12-31T23:59:59.999Z")) == "9999-12-31T23:59:59.999Z");
  // Outside 0000-9999, reachable only through offset().
  CHECK(to_string(Datetime{-62'167'219'200'001}) == "-0001-12-31T23:59:59.999Z");
  CHECK(to_string(Datetime{253'402'300'800'000}) == "10000-01-01T00:00:00.000Z");
  CHECK(to_string(Datetime{kMax}) == "292278994-08-17T07:12:55.807Z");
  CHECK(to_string(Datetime{kMin}) == "-292275055-05-16T16:47:04.192Z");
  for (std::string_view text : {"1970-01-01T00:00:00.000Z", "2000-02-29T12:00:00.001Z",
                                "1600-03-01T00:00:00.000Z", "0000-12-31T23:59:59.999Z"}) {
    CHECK(to_string(*parse_datetime(text)) == text);
  }
}

TEST_CASE("datetime printing and parsing round-trip across years 0000-9999", "[extensions]") {
  const std::int64_t first = *datetime("0000-01-01");
  const std::int64_t last = *datetime("9999-12-31T23:59:59.999Z");
  // An odd step that is not a whole number of seconds visits every field's range.
  for (std::int64_t at = first; at <= last; at += 999'999'999'937) {
    INFO(at);
    REQUIRE(datetime(to_string(Datetime{at})) == at);
  }
}

TEST_CASE("datetime offset and durationSince refuse overflow", "[extensions]") {
  CHECK(offset(Datetime{1'000}, Duration{-1'500}) == Datetime{-500});
  CHECK(offset(Datetime{kMax}, Duration{0}) == Datetime{kMax});
  CHECK(offset(Datetime{kMax - 1}, Duration{1}) == Datetime{kMax});
  CHECK_FALSE(offset(Datetime{kMax}, Duration{1}));
  CHECK_FALSE(offset(Datetime{kMin}, Duration{-1}));
  CHECK(offset(Datetime{kMin}, Duration{kMax}) == Datetime{-1});

  CHECK(duration_since(Datetime{5'000}, Datetime{8'000}) == Duration{-3'000});
  CHECK(duration_since(Datetime{kMax}, Datetime{0}) == Duration{kMax});
  CHECK(duration_since(Datetime{-1}, Datetime{kMax}) == Duration{kMin});
  CHECK_FALSE(duration_since(Datetime{0}, Datetime{kMin}));
  CHECK_FALSE(duration_since(Datetime{kMin}, Datetime{1}));
  CHECK_FALSE(duration_since(Datetime{kMax}, Datetime{-1}));
  CHECK_FALSE(duration_since(Datetime{kMax}, Datetime{kMin}));
}

TEST_CASE("datetime toDate and toTime floor to the UTC day", "[extensions]") {
  CHECK(to_date(Datetime{0}) == Datetime{0});
  CHECK(to_date(Datetime{1}) == Datetime{0});
  CHECK(to_date(Datetime{kDay - 1}) == Datetime{0});
  CHECK(to_date(Datetime{kDay}) == Datetime{kDay});
  CHECK(to_date(Datetime{-1}) == Datetime{-kDay});
  CHECK(to_date(Datetime{-kDay}) == Datetime{-kDay});
  CHECK(to_date(Datetime{-kDay - 1}) == Datetime{-2 * kDay});
  CHECK(to_date(Datetime{kMax}) == Datetime{106'751'991'167 * kDay});
  // The day of INT64_MIN starts before INT64_MIN: refused, as in both references.
  CHECK(to_date(Datetime{-106'751'991'167 * kDay}) == Datetime{-106'751'991'167 * kDay});
  CHECK_FALSE(to_date(Datetime{-106'751'991'167 * kDay - 1}));
  CHECK_FALSE(to_date(Datetime{kMin}));
  CHECK(to_date(*parse_datetime("2024-10-15T11:35:00Z")) == parse_datetime("2024-10-15"));
  CHECK(to_date(*parse_datetime("1969-07-20T20:17:40Z")) == parse_datetime("1969-07-20"));

  CHECK(to_time(Datetime{0}) == Duration{0});
  CHECK(to_time(Datetime{1}) == Duration{1});
  CHECK(to_time(Datetime{-1}) == Duration{kDay - 1});
  CHECK(to_time(Datetime{-kDay}) == Duration{0});
  CHECK(to_time(Datetime{-kDay - 1}) == Duration{kDay - 1});
  CHECK(to_time(Datetime{kMax}) == Duration{25'975'807});
  CHECK(to_time(Datetime{kMin}) == Duration{60'424'192});
  CHECK(to_time(*parse_datetime("1969-07-20T20:17:40Z")) == *parse_duration("20h17m40s"));
}

// ---------------------------------------------------------------------------------------
// duration

std::optional<std::int64_t> duration(std::string_view text) {
  std::optional<Duration> d = parse_duration(text);
  if (!d) return std::nullopt;
  return d->millis;
}

TEST_CASE("duration accepts ordered quantity-unit pairs", "[extensions]") {
  CHECK(duration("1d2h3m4s5ms") == 93'784'005);
  CHECK(duration("-1d2h3m4s5ms") == -93'784'005);
  CHECK(duration("-1d") == -kDay);
  CHECK(duration("500ms") == 500);
  CHECK(duration("1m") == 60'000);
  CHECK(duration("1ms") == 1);
  CHECK(duration("1s") == 1'000);
  CHECK(duration("1h") == 3'600'000);
  CHECK(duration("1m1ms") == 60'001);
  CHECK(duration("1d1ms") == kDay + 1);
  CHECK(duration("1h1s") == 3'601'000);
  CHECK(duration("0ms") == 0);
  CHECK(duration("-0ms") == 0);
  CHECK(duration("0d0h0m0s0ms") == 0);
  CHECK(duration("90m") == 5'400'000);  // quantities need not be reduced
  CHECK(duration("0000000000000000000000001s") == 1'000);
}

TEST_CASE("duration accepts exactly the int64 range", "[extensions]") {
  CHECK(duration("9223372036854775807ms") == kMax);
  CHECK(duration("-9223372036854775808ms") == kMin);
  CHECK_FALSE(duration("9223372036854775808ms"));
  CHECK_FALSE(duration("-9223372036854775809ms"));
  CHECK(duration("106751991167d") == 106'751'991'167 * kDay);
  CHECK_FALSE(duration("106751991168d"));
  CHECK(duration("106751991167d7h12m55s807ms") == kMax);
  CHECK_FALSE(duration("106751991167d7h12m55s808ms"));
  CHECK(duration("-106751991167d7h12m55s808ms") == kMin);
  CHECK_FALSE(duration("-106751991167d7h12m55s809ms"));
  CHECK(duration("9223372036854775s807ms") == kMax);
  CHECK_FALSE(duration("9223372036854776s"));
  CHECK_FALSE(duration("2562047788016h"));
  CHECK_FALSE(duration("18446744073709551616ms"));  // beyond uint64
  CHECK_FALSE(duration("99999999999999999999d"));
  CHECK_FALSE(duration("9223372036854775807ms1ms"));
}

TEST_CASE("duration refuses other shapes", "[extensions]") {
  for (std::string_view text :
       {"",      "-",     "--1d", "+1d",   "1",      "-1",   "d",   "ms",  "1x",  "1h1d", "1d1d",
        "1m1h",  "1ms1s", "1s1m", "1ms1m", "1ms1ms", "1.5h", " 1d", "1d ", "1 d", "1D",   "1MS",
        "1d-1h", "1d2",   "1mss", "1hm",   "1d-",    "-1d-", "1dh", "1w",  "1y"}) {
    INFO(text);
    CHECK_FALSE(parse_duration(text));
  }
}

TEST_CASE("duration conversions truncate toward zero", "[extensions]") {
  CHECK(to_milliseconds(Duration{-1'500}) == -1'500);
  CHECK(to_seconds(Duration{1'999}) == 1);
  CHECK(to_seconds(Duration{-1'999}) == -1);
  CHECK(to_minutes(Duration{-119'999}) == -1);
  CHECK(to_hours(Duration{3'599'999}) == 0);
  CHECK(to_hours(Duration{-7'200'000}) == -2);
  CHECK(to_days(Duration{-kDay + 1}) == 0);
  CHECK(to_days(Duration{-kDay}) == -1);
  CHECK(to_days(Duration{kMax}) == 106'751'991'167);
  CHECK(to_days(Duration{kMin}) == -106'751'991'167);
  CHECK(to_seconds(Duration{kMin}) == -9'223'372'036'854'775);
}

TEST_CASE("duration prints in d h m s ms units", "[extensions]") {
  CHECK(to_string(Duration{0}) == "0ms");
  CHECK(to_string(Duration{93'784'005}) == "1d2h3m4s5ms");
  CHECK(to_string(Duration{-93'784'005}) == "-1d2h3m4s5ms");
  CHECK(to_string(Duration{-kDay}) == "-1d");
  CHECK(to_string(Duration{60'000}) == "1m");
  CHECK(to_string(Duration{1}) == "1ms");
  CHECK(to_string(Duration{3'600'001}) == "1h1ms");
  CHECK(to_string(Duration{kMax}) == "106751991167d7h12m55s807ms");
  CHECK(to_string(Duration{kMin}) == "-106751991167d7h12m55s808ms");
  for (std::int64_t v : {kMin, kMax, std::int64_t{0}, std::int64_t{-1}, std::int64_t{61'001}}) {
    CHECK(parse_duration(to_string(Duration{v})) == Duration{v});
  }
}

TEST_CASE("duration printing and parsing round-trip", "[extensions]") {
  for (std::int64_t at = kMin; at < kMax - 9'876'543'210'987'654; at += 9'876'543'210'987'653) {
    INFO(at);
    REQUIRE(duration(to_string(Duration{at})) == at);
  }
}

TEST_CASE("datetime and duration order by milliseconds", "[extensions]") {
  CHECK(*parse_datetime("2024-01-01") < *parse_datetime("2024-01-01T00:00:00.001Z"));
  CHECK(*parse_datetime("2024-01-01T00:00:00+0100") < *parse_datetime("2024-01-01"));
  CHECK(*parse_duration("1d") > *parse_duration("23h59m59s999ms"));
  CHECK(*parse_duration("-1ms") < *parse_duration("0ms"));
}

}  // namespace
}  // namespace crossgate::cedar::ext

namespace crossgate::cedar::ext {
namespace {

// Decision records print values and replay reads them back: every printed value must
// parse to the same value.
TEST_CASE("printed extension values parse back to the same value", "[extensions]") {
  for (std::string_view text : {"10.0.0.1", "10.0.0.1/24", "::", "::1", "::ffff:ff00:1",
                                "::ffff:0:0/96", "1:2:3:4:5:6:7:8/64", "fe80::/10"}) {
    std::optional<IpAddr> ip = parse_ipaddr(text);
    if (!ip) continue;  // a refused form has nothing to print
    std::optional<IpAddr> again = parse_ipaddr(to_string(*ip));
    REQUIRE(again.has_value());
    CHECK(*again == *ip);
  }
  for (std::string_view text : {"0.0", "-1.5", "922337203685477.5807", "-922337203685477.5808"}) {
    std::optional<Decimal> d = parse_decimal(text);
    REQUIRE(d.has_value());
    CHECK(parse_decimal(to_string(*d)) == d);
  }
  for (std::string_view text :
       {"1970-01-01", "2024-10-15T11:35:00.123+0130", "0000-01-01", "9999-12-31T23:59:59.999Z"}) {
    std::optional<Datetime> d = parse_datetime(text);
    REQUIRE(d.has_value());
    CHECK(parse_datetime(to_string(*d)) == d);
  }
  for (std::string_view text :
       {"0ms", "-1d2h3m4s5ms", "9223372036854775807ms", "-9223372036854775808ms"}) {
    std::optional<Duration> d = parse_duration(text);
    REQUIRE(d.has_value());
    CHECK(parse_duration(to_string(*d)) == d);
  }
}

}  // namespace
}  // namespace crossgate::cedar::ext
