#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "policy/cedar/parser/policy_parser.h"

namespace crossgate::cedar::parser {
namespace {

using Catch::Matchers::ContainsSubstring;

std::string error_of(std::string_view text) {
  ParseOptions options;
  options.source_name = "test.cedar";
  Result<std::vector<ast::Policy>> result = parse_policies(text, options);
  REQUIRE_FALSE(result.ok());
  return result.message();
}

ast::Policy one(std::string_view text) {
  Result<ast::Policy> result = parse_policy(text);
  INFO((result.ok() ? std::string() : result.message()));
  REQUIRE(result.ok());
  return std::move(result.value());
}

std::string expr_text(std::string_view text) {
  Result<ast::ExprPtr> result = parse_expression(text);
  INFO((result.ok() ? std::string() : result.message()));
  REQUIRE(result.ok());
  return ast::to_string(**result);
}

TEST_CASE("policies get positional ids and keep their annotations", "[parser]") {
  Result<std::vector<ast::Policy>> parsed = parse_policies(R"(
    @id("first") @advice("read me")
    permit(principal, action, resource);
    @flag
    forbid(principal, action, resource);
  )");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[0].id == "policy0");
  CHECK((*parsed)[0].display_name() == "first");
  CHECK((*parsed)[0].find_annotation("advice")->value == "read me");
  CHECK((*parsed)[1].id == "policy1");
  CHECK((*parsed)[1].display_name() == "policy1");
  CHECK((*parsed)[1].find_annotation("flag")->value.empty());
  CHECK((*parsed)[1].effect == ast::Effect::kForbid);
}

TEST_CASE("a caller can choose the id prefix and first index", "[parser]") {
  ParseOptions options;
  options.id_prefix = "base.cedar#";
  options.first_index = 3;
  Result<std::vector<ast::Policy>> parsed =
      parse_policies("permit(principal,action,resource);", options);
  REQUIRE(parsed.ok());
  CHECK((*parsed)[0].id == "base.cedar#3");
}

TEST_CASE("every scope form parses", "[parser]") {
  ast::Policy p = one(R"(permit(
      principal is Ns::User in Ns::Group::"admins",
      action in [Action::"read", Ns::Action::"write",],
      resource == Ns::Doc::"a\"b"
    );)");
  CHECK(p.principal.kind == ast::ScopeConstraint::Kind::kIsIn);
  CHECK(p.principal.entity_type == "Ns::User");
  CHECK(p.principal.target.entity.id == "admins");
  CHECK(p.action.kind == ast::ActionConstraint::Kind::kIn);
  CHECK(p.action.entities.size() == 2);
  CHECK(p.resource.kind == ast::ScopeConstraint::Kind::kEq);
  CHECK(p.resource.target.entity.id == "a\"b");

  ast::Policy t = one("permit(principal == ?principal, action, resource in ?resource);");
  CHECK(t.is_template());
  CHECK(t.uses_slot(ast::SlotId::kPrincipal));
  CHECK(t.uses_slot(ast::SlotId::kResource));
  CHECK(one("permit(principal is User, action == Action::\"a\", resource,);").principal.kind ==
        ast::ScopeConstraint::Kind::kIs);
}

TEST_CASE("operators bind as Cedar's grammar says", "[parser]") {
  CHECK(expr_text("1 + 2 * 3") == "1 + (2 * 3)");
  CHECK(expr_text("1 - 2 + 3") == "(1 - 2) + 3");
  CHECK(expr_text("context.a || context.b && context.c") ==
        "context.a || (context.b && context.c)");
  CHECK(expr_text("!context.a && context.b") == "(!context.a) && context.b");
  CHECK(expr_text("1 + 2 < 4") == "(1 + 2) < 4");
  CHECK(expr_text("if context.a then 1 else 2 + 3") == "if context.a then 1 else 2 + 3");
  CHECK(expr_text("context[\"the key\"].x") == "context[\"the key\"].x");
  CHECK(expr_text("principal is User in Group::\"g\"") == "principal is User in Group::\"g\"");
  CHECK(expr_text("[1, \"two\", {a: 3},]") == "[1, \"two\", {\"a\": 3}]");
  CHECK(expr_text("ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))") ==
        "ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))");
}

TEST_CASE("negative literals and the i64 range", "[parser]") {
  CHECK(expr_text("-9223372036854775808") == "-9223372036854775808");
  CHECK(expr_text("- -5") == "-(-5)");
  CHECK(expr_text("1 - -5") == "1 - (-5)");
  CHECK(expr_text("-(5)") == "-5");
  CHECK_THAT(error_of("permit(principal,action,resource) when { 9223372036854775808 == 1 };"),
             ContainsSubstring("integer literal `9223372036854775808` is too large"));
  CHECK_THAT(error_of("permit(principal,action,resource) when { -9223372036854775809 < 0 };"),
             ContainsSubstring("too large"));
}

TEST_CASE("the dotted has form tests each step", "[parser]") {
  CHECK(expr_text("context has a.b.c") ==
        "((context has a) && (context.a has b)) && (context.a.b has c)");
  CHECK(expr_text("context has \"a b\"") == "context has \"a b\"");
}

TEST_CASE("like patterns keep escaped stars literal", "[parser]") {
  Result<ast::ExprPtr> e = parse_expression(R"(context.s like "a*b\*c")");
  REQUIRE(e.ok());
  const std::vector<ast::PatternElement>& p = (*e)->pattern;
  REQUIRE(p.size() == 3);
  CHECK(p[0].literal == "a");
  CHECK(p[1].wildcard);
  CHECK(p[2].literal == "b*c");
}

TEST_CASE("string escapes decode like the reference", "[parser]") {
  Result<ast::ExprPtr> e = parse_expression(R"("tab\tquote\"nul\0x\x41u\u{1F600}")");
  REQUIRE(e.ok());
  CHECK((*e)->text == std::string("tab\tquote\"nul") + '\0' + "xAu\xF0\x9F\x98\x80");
  CHECK_FALSE(parse_expression(R"("\q")").ok());
  CHECK_FALSE(parse_expression(R"("\x80")").ok());
  CHECK_FALSE(parse_expression(R"("\u{D800}")").ok());
}

TEST_CASE("errors name the line and column", "[parser][bad-input]") {
  CHECK_THAT(error_of("permit(principal, action, resource)\nwhen { context.a = 1 };"),
             ContainsSubstring("test.cedar:2:18: '=' is not a valid operator"));
  CHECK_THAT(error_of("permit(principal, action, resource);\nallow(principal, action, resource);"),
             ContainsSubstring("test.cedar:2:1: invalid policy effect: allow"));
  CHECK_THAT(error_of("permit(principal, action, resource)"),
             ContainsSubstring("expected `when`, `unless` or `;`, found end of input"));
  CHECK_THAT(error_of("permit(principal, action, resource) when { \"open };"),
             ContainsSubstring("test.cedar:1:44: string literal is not terminated"));
  CHECK_THAT(error_of("permit(principal, action, resource) when { 1 # 2 };"),
             ContainsSubstring("unexpected character `#`"));
}

TEST_CASE("the reference's static checks are enforced", "[parser][bad-input]") {
  struct Case {
    const char* policy;
    const char* message;
  };
  const Case cases[] = {
      {"permit(principal, action, resource) when { 1 < 2 < 3 };", "multiple relational operators"},
      {"permit(principal, action, resource) when { 4 / 2 == 2 };", "division is not supported"},
      {"permit(principal, action, resource) when { 4 % 2 == 0 };", "remainder/modulo"},
      {"permit(principal, action, resource) when { !!!!!true };", "too many occurrences of `!`"},
      {"permit(principal, action, resource) when { context.if };", "reserved"},
      {"permit(principal, action, resource) when { {if: 1} == {} };", "reserved"},
      {"permit(principal, action, resource) when { {a: 1, a: 2} == {} };", "duplicate key `a`"},
      {"permit(principal, action, resource) when { context.s like context.p };",
       "must be a pattern literal"},
      {"permit(principal, action, resource) when { principal is User::\"a\" };",
       "must be an entity type name"},
      {"permit(principal, action, resource) when { foo(1) };", "`foo` is not a valid function"},
      {"permit(principal, action, resource) when { isIpv4(ip(\"1.1.1.1\")) };",
       "`isIpv4` is a method, not a function"},
      {"permit(principal, action, resource) when { context.ip(\"x\") };",
       "`ip` is a function, not a method"},
      {"permit(principal, action, resource) when { context.frobnicate() };",
       "`frobnicate` is not a valid method"},
      {"permit(principal, action, resource) when { [].contains(1, 2) };",
       "call to `contains` requires exactly 1 argument, but got 2 arguments"},
      {"permit(principal, action, resource) when { principal(1) };", "not a valid function call"},
      {"permit(principal, action, resource) when { somename };", "invalid variable: somename"},
      {"permit(principal, action, resource) when { context[principal] };", "string literal"},
      {"permit(principal, action, resource) when { principal == ?principal };",
       "found template slot ?principal in a `when` clause"},
      {"permit(principal, action, resource) when { };", "`when` condition clause cannot be empty"},
      {"permit(principal, action, resource) when { __cedar::X::\"a\" };", "`__cedar` is reserved"},
      {"@a(\"1\") @a(\"2\") permit(principal, action, resource);", "duplicate annotation: @a"},
      {"permit(principal, action);", "missing the `resource` variable"},
      {"permit(principal, action, resource, context);", "extra element in the scope"},
      {"permit(resource, action, principal);",
       "found the variable `resource` where the variable"
       " `principal` must be used"},
      {"permit(principal == ?resource, action, resource);", "matching template slot"},
      {"permit(principal, action, resource in ?nope);", "`?nope` is not a valid template slot"},
      {"permit(principal is User == User::\"a\", action, resource);",
       "`is` cannot be used together with `==`"},
      {"permit(principal in Group::\"a\" is User, action, resource);", "`is` must come first"},
      {"permit(principal, action is Action, resource);", "`is` cannot appear in the action scope"},
      {"permit(principal, action == User::\"read\", resource);",
       "expected an entity uid with type `Action`"},
      {"permit(principal, action == [Action::\"a\"], resource);", "found a set of entity uids"},
      {"permit(principal < User::\"a\", action, resource);",
       "invalid operator in the policy scope"},
      {"permit(principal: User, action, resource);", "type constraints using `:`"},
      {"permit(principal == User::{id: \"a\"}, action, resource);", "invalid entity literal"},
  };
  for (const Case& c : cases) {
    INFO(c.policy);
    CHECK_THAT(error_of(c.policy), ContainsSubstring(c.message));
  }
}

TEST_CASE("deep nesting is refused with an error, not a crash", "[parser][bad-input]") {
  std::string deep = "permit(principal, action, resource) when { ";
  for (int i = 0; i < 100000; ++i)
    deep += "(";
  deep += "true";
  for (int i = 0; i < 100000; ++i)
    deep += ")";
  deep += " };";
  CHECK_THAT(error_of(deep), ContainsSubstring("nests deeper than"));

  std::string chain = "permit(principal, action, resource) when { 1";
  for (int i = 0; i < 100000; ++i)
    chain += " + 1";
  chain += " > 0 };";
  CHECK_THAT(error_of(chain), ContainsSubstring("nests deeper than"));

  std::string bangs = "permit(principal, action, resource) when { ";
  for (int i = 0; i < 50000; ++i)
    bangs += "[";
  CHECK_THAT(error_of(bangs), ContainsSubstring("nests deeper than"));
}

TEST_CASE("printed policies parse back to the same text", "[parser]") {
  const char* text = R"(@id("p") permit(principal in Group::"g", action in [Action::"a"],
      resource is Doc in Folder::"f")
    when { context.tags.containsAny(["x", "y"]) && resource.size * 2 <= 10 }
    unless { context.name like "adm*n\*" || !(context has "x y") };)";
  ast::Policy first = one(text);
  std::string printed = ast::to_string(first);
  ast::Policy second = one(printed);
  CHECK(ast::to_string(second) == printed);
}

}  // namespace
}  // namespace crossgate::cedar::parser

namespace crossgate::cedar::parser {
namespace {

TEST_CASE("input must be UTF-8; Unicode spaces separate tokens", "[parser][bad-input]") {
  CHECK(parse_policy("permit(principal,\xC2\xA0"
                     "action, resource);")
            .ok());  // no-break space
  CHECK(parse_expression("\"caf\xC3\xA9\" == \"caf\xC3\xA9\"").ok());
  CHECK_THAT(error_of("permit(principal, action, resource) when { \"\xFF\" };"),
             ContainsSubstring("test.cedar:1:45: invalid UTF-8"));
  CHECK_THAT(error_of("permit(principal, action, resource) when { \xC0\x80 };"),
             ContainsSubstring("invalid UTF-8"));
}

}  // namespace
}  // namespace crossgate::cedar::parser
