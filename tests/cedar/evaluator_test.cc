// Expression semantics against the reference: what is an error, what is false, and
// short-circuiting. Each expression is parsed, compiled and evaluated for a fixed request
// over a small entity store.
#include "policy/cedar/evaluator/evaluator.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <optional>
#include <string>

#include "policy/cedar/compiler/compiler.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/parser/policy_parser.h"

namespace crossgate::cedar {
namespace {

using Catch::Matchers::ContainsSubstring;

constexpr const char* kEntities = R"([
  {"uid": {"type": "User", "id": "alice"},
   "attrs": {"age": 30, "nick": "al", "address": {"city": "Oslo"},
             "friend": {"__entity": {"type": "User", "id": "bob"}}},
   "parents": [{"type": "Team", "id": "red"}],
   "tags": {"level": "gold"}},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Team", "id": "ghost"}]},
  {"uid": {"type": "Team", "id": "red"}, "attrs": {}, "parents": [{"type": "Org", "id": "acme"}]},
  {"uid": {"type": "Org", "id": "acme"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []}
])";

class Fixture {
 public:
  Fixture() {
    Result<Entities> parsed = parse_entities_json(kEntities, nullptr, "entities");
    REQUIRE(parsed.ok());
    entities_ = std::move(parsed.value());
    std::vector<RecordField> context{{"n", Value::integer(5)}, {"flag", Value::boolean(true)}};
    request_ = Request{EntityUid::view("User", "alice"), EntityUid::view("Action", "read"),
                       EntityUid::view("Doc", "d1"), Value::make_record(arena_, context)};
  }

  // The value's Cedar text, or "error: <message>".
  std::string eval(std::string_view text) {
    Result<ast::ExprPtr> expr = parser::parse_expression(text);
    if (!expr.ok()) return "parse error: " + expr.message();
    ExprCompiler compiler(arena_);
    const Node* node = compiler.compile(**expr);
    Arena scratch;
    Evaluator evaluator(request_, entities_, scratch);
    Value out;
    if (!evaluator.evaluate(*node, out)) return "error: " + evaluator.error().message();
    return to_string(out);
  }

  bool is_error(std::string_view text) { return eval(text).starts_with("error: "); }

 private:
  Arena arena_;
  Entities entities_;
  Request request_;
};

TEST_CASE("equality is structural and never an error across types", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("1 == \"1\"") == "false");
  CHECK(f.eval("[1, 2, 2] == [2, 1]") == "true");
  CHECK(f.eval("{a: 1, b: [true]} == {b: [true], a: 1}") == "true");
  CHECK(f.eval("principal == User::\"alice\"") == "true");
  CHECK(f.eval("User::\"alice\" != Admin::\"alice\"") == "true");
  CHECK(f.eval("ip(\"10.0.0.1\") == ip(\"10.0.0.1/32\")") == "true");
  CHECK(f.eval("ip(\"10.0.0.1/24\") == ip(\"10.0.0.0/24\")") == "false");
  CHECK(f.eval("decimal(\"1.50\") == decimal(\"1.5\")") == "true");
}

TEST_CASE("comparisons take longs, datetimes and durations only", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("1 < 2") == "true");
  CHECK(f.eval("2 >= 2") == "true");
  CHECK(f.eval("datetime(\"2024-01-01\") < datetime(\"2024-01-01T00:00:01Z\")") == "true");
  CHECK(f.eval("duration(\"1h\") > duration(\"59m\")") == "true");
  CHECK(f.is_error("\"a\" < \"b\""));
  CHECK(f.is_error("decimal(\"1.0\") < decimal(\"2.0\")"));
  CHECK(f.is_error("datetime(\"2024-01-01\") < duration(\"1h\")"));
  CHECK(f.eval("decimal(\"1.0\").lessThan(decimal(\"2.0\"))") == "true");
}

TEST_CASE("arithmetic is checked 64-bit", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("9223372036854775806 + 1") == "9223372036854775807");
  CHECK_THAT(f.eval("9223372036854775807 + 1"), ContainsSubstring("overflow"));
  CHECK_THAT(f.eval("-9223372036854775808 - 1"), ContainsSubstring("overflow"));
  CHECK_THAT(f.eval("2 * 4611686018427387904"), ContainsSubstring("overflow"));
  CHECK_THAT(f.eval("-(-9223372036854775808)"), ContainsSubstring("overflow"));
  CHECK(f.eval("-9223372036854775808") == "-9223372036854775808");
  CHECK(f.eval("context.n * -3") == "-15");
  CHECK(f.is_error("1 + true"));
}

TEST_CASE("&&, || and if short-circuit and demand booleans", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("false && (1 + \"a\")") == "false");
  CHECK(f.eval("true || (1 + \"a\")") == "true");
  CHECK(f.eval("if true then 1 else (1 + \"a\")") == "1");
  CHECK(f.is_error("true && 1"));
  CHECK(f.is_error("1 && false"));
  CHECK(f.is_error("false || \"x\""));
  CHECK(f.is_error("if 1 then 2 else 3"));
  CHECK(f.is_error("!1"));
}

TEST_CASE("in follows the hierarchy transitively and checks set elements", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("principal in Team::\"red\"") == "true");
  CHECK(f.eval("principal in Org::\"acme\"") == "true");
  CHECK(f.eval("principal in principal") == "true");
  CHECK(f.eval("principal in [Org::\"other\", Org::\"acme\"]") == "true");
  CHECK(f.eval("principal in []") == "false");
  CHECK(f.eval("Team::\"red\" in principal") == "false");
  // Every element must be an entity, even after a match.
  CHECK(f.is_error("principal in [principal, 1]"));
  CHECK(f.is_error("1 in [principal]"));
  CHECK(f.is_error("principal in \"acme\""));
  // Undefined entities (here a parent that was never defined) have no ancestors.
  CHECK(f.eval("User::\"bob\" in Team::\"ghost\"") == "true");
  CHECK(f.eval("Team::\"ghost\" in Org::\"acme\"") == "false");
  CHECK(f.eval("User::\"nobody\" in User::\"nobody\"") == "true");
}

TEST_CASE("attributes: missing is an error for access and false for has", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("principal.age") == "30");
  CHECK(f.eval("principal.address.city") == "\"Oslo\"");
  CHECK(f.eval("principal[\"nick\"]") == "\"al\"");
  CHECK(f.eval("principal.friend == User::\"bob\"") == "true");
  CHECK(f.eval("principal has age") == "true");
  CHECK(f.eval("principal has address.city") == "true");
  CHECK(f.eval("principal has address.zip") == "false");
  CHECK(f.eval("principal has missing.deeper") == "false");
  CHECK_THAT(f.eval("principal.missing"),
             ContainsSubstring("does not have the attribute `missing`"));
  CHECK(f.eval("resource has anything") == "false");  // resource is not in the store
  CHECK_THAT(f.eval("resource.anything"), ContainsSubstring("does not exist"));
  CHECK(f.is_error("context.n.x"));
  CHECK(f.is_error("1 has x"));
  CHECK(f.eval("{a: 1} has a") == "true");
}

TEST_CASE("tags", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("principal.hasTag(\"level\")") == "true");
  CHECK(f.eval("principal.getTag(\"level\")") == "\"gold\"");
  CHECK(f.eval("principal.hasTag(\"other\")") == "false");
  CHECK(f.is_error("principal.getTag(\"other\")"));
  CHECK(f.eval("resource.hasTag(\"level\")") == "false");
  CHECK(f.is_error("resource.getTag(\"level\")"));
  CHECK(f.is_error("principal.hasTag(1)"));
}

TEST_CASE("like matches * against any sequence", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("\"abc\" like \"a*c\"") == "true");
  CHECK(f.eval("\"\" like \"*\"") == "true");
  CHECK(f.eval("\"abc\" like \"a\"") == "false");
  CHECK(f.eval("\"a*c\" like \"a\\*c\"") == "true");
  CHECK(f.eval("\"abc\" like \"a\\*c\"") == "false");
  CHECK(f.eval("\"aaa\" like \"*a*a*a*\"") == "true");
  CHECK(f.eval("\"aa\" like \"*a*a*a*\"") == "false");
  CHECK(f.eval("\"h\\u{e9}llo w\\u{f6}rld\" like \"h*o w*d\"") == "true");
  CHECK(f.is_error("1 like \"*\""));
}

TEST_CASE("is checks the entity type", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("principal is User") == "true");
  CHECK(f.eval("principal is Team") == "false");
  CHECK(f.eval("principal is User in Org::\"acme\"") == "true");
  CHECK(f.eval("principal is Team in (1 + \"x\")") == "false");  // short-circuits
  CHECK(f.is_error("1 is User"));
}

TEST_CASE("set operations", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("[1, 2, 3].contains(2)") == "true");
  CHECK(f.eval("[1, 2, 3].containsAll([3, 1])") == "true");
  CHECK(f.eval("[1, 2].containsAll([1, 4])") == "false");
  CHECK(f.eval("[1, 2].containsAny([4, 2])") == "true");
  CHECK(f.eval("[].containsAny([])") == "false");
  CHECK(f.eval("[].containsAll([])") == "true");
  CHECK(f.eval("[].isEmpty()") == "true");
  CHECK(f.eval("[principal, resource].contains(User::\"alice\")") == "true");
  CHECK(f.is_error("1.contains(1)"));
  CHECK(f.is_error("[1].containsAll(1)"));
}

TEST_CASE("extension functions and their errors", "[evaluator]") {
  Fixture f;
  CHECK(f.eval("ip(\"10.1.2.3\").isInRange(ip(\"10.0.0.0/8\"))") == "true");
  CHECK(f.eval("ip(\"::1\").isLoopback()") == "true");
  CHECK(f.eval("ip(\"224.1.1.1\").isMulticast()") == "true");
  CHECK(f.eval("ip(\"10.0.0.1\").isIpv6()") == "false");
  CHECK(f.eval("decimal(\"-1.5\").greaterThanOrEqual(decimal(\"-1.5\"))") == "true");
  CHECK(f.eval("datetime(\"2024-10-15T11:35:00Z\").toDate() == datetime(\"2024-10-15\")") ==
        "true");
  CHECK(f.eval("datetime(\"2024-10-15T11:35:00Z\").toTime().toMinutes()") == "695");
  CHECK(f.eval("datetime(\"2024-01-02\").durationSince(datetime(\"2024-01-01\")).toHours()") ==
        "24");
  CHECK(f.eval("datetime(\"2024-01-01\").offset(duration(\"-1d\")) == datetime(\"2023-12-31\")") ==
        "true");
  CHECK_THAT(f.eval("ip(\"10.0.0.256\")"), ContainsSubstring("invalid IP address"));
  CHECK_THAT(f.eval("decimal(\"1.23456\")"), ContainsSubstring("invalid decimal"));
  CHECK(f.is_error("ip(1)"));
  CHECK(f.is_error("ip(\"1.1.1.1\").isInRange(decimal(\"1.0\"))"));
  // Arity is checked when evaluated, as in the reference.
  CHECK_THAT(f.eval("ip(\"1.1.1.1\", \"x\")"), ContainsSubstring("wrong number of arguments"));
  CHECK(f.eval("ip(context.flag)").starts_with("error: "));
}

}  // namespace
}  // namespace crossgate::cedar
