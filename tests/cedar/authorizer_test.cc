// Authorization across several policies: forbid over permit, default deny, errors,
// templates and links, and that the policy index never drops a policy that applies.
#include "policy/cedar/authorizer/authorizer.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <random>
#include <set>
#include <string>

#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/parser/policy_parser.h"

namespace crossgate::cedar {
namespace {

using Catch::Matchers::ContainsSubstring;

PolicySet policies_from(std::string_view text) {
  Result<PolicySet> set = PolicySet::parse(text, "test.cedar");
  INFO((set.ok() ? std::string() : set.message()));
  REQUIRE(set.ok());
  return std::move(set.value());
}

Entities entities_from(std::string_view json) {
  Result<Entities> parsed = parse_entities_json(json, nullptr, "entities");
  INFO((parsed.ok() ? std::string() : parsed.message()));
  REQUIRE(parsed.ok());
  return std::move(parsed.value());
}

std::set<std::string> ids(const PolicySet& set, const std::vector<std::uint32_t>& positions) {
  std::set<std::string> out;
  for (std::uint32_t p : positions)
    out.insert(set.at(p).id);
  return out;
}

Request request(std::string_view principal, std::string_view action, std::string_view resource) {
  return Request{EntityUid::view("User", principal), EntityUid::view("Action", action),
                 EntityUid::view("Doc", resource), Value::empty_record()};
}

TEST_CASE("no policy means deny, with no reasons", "[authorizer]") {
  PolicySet set;
  Entities entities;
  Authorizer authorizer;
  Response r = authorizer.authorize(set, request("a", "read", "d"), entities);
  CHECK(r.decision == Decision::kDeny);
  CHECK(r.determining.empty());
  CHECK(r.errors.empty());
}

TEST_CASE("forbid overrides permit, and errors make a policy not apply", "[authorizer]") {
  PolicySet set = policies_from(R"(
    permit(principal, action, resource);
    forbid(principal == User::"mallory", action, resource);
    forbid(principal, action, resource) when { principal.banned };
    permit(principal, action == Action::"read", resource) when { resource.public };
  )");
  Entities entities = entities_from(R"([
    {"uid": {"type": "User", "id": "alice"}, "attrs": {"banned": false}, "parents": []},
    {"uid": {"type": "User", "id": "mallory"}, "attrs": {"banned": true}, "parents": []},
    {"uid": {"type": "Doc", "id": "d"}, "attrs": {"public": true}, "parents": []}
  ])");
  Authorizer authorizer;
  Response r = authorizer.authorize(set, request("alice", "read", "d"), entities);
  CHECK(r.decision == Decision::kAllow);
  CHECK(ids(set, r.determining) == std::set<std::string>{"policy0", "policy3"});

  r = authorizer.authorize(set, request("mallory", "read", "d"), entities);
  CHECK(r.decision == Decision::kDeny);
  CHECK(ids(set, r.determining) == std::set<std::string>{"policy1", "policy2"});

  // bob is not in the store: policy2 errors, policy3 errors (no such doc), policy0 allows.
  r = authorizer.authorize(set, request("bob", "read", "missing"), entities);
  CHECK(r.decision == Decision::kAllow);
  CHECK(ids(set, r.determining) == std::set<std::string>{"policy0"});
  REQUIRE(r.errors.size() == 2);
  CHECK(set.at(r.errors[0].policy).id == "policy2");
  CHECK_THAT(r.errors[0].message, ContainsSubstring("User::\"bob\"` does not exist"));
  CHECK(set.at(r.errors[1].policy).id == "policy3");
}

TEST_CASE("a template linked twice gives two independent policies", "[authorizer]") {
  PolicySet set = policies_from(R"(
    @id("owner-access")
    permit(principal == ?principal, action, resource in ?resource)
    when { context.mfa };
  )");
  CHECK(set.size() == 0);
  CHECK(set.template_count() == 1);
  REQUIRE(set.link("policy0", "alice-docs",
                   SlotBindings{ast::EntityRef{"User", "alice"}, ast::EntityRef{"Folder", "a"}})
              .ok());
  REQUIRE(set.link("policy0", "bob-docs",
                   SlotBindings{ast::EntityRef{"User", "bob"}, ast::EntityRef{"Folder", "b"}})
              .ok());
  CHECK(set.size() == 2);

  Entities entities = entities_from(R"([
    {"uid": {"type": "Doc", "id": "a1"}, "attrs": {}, "parents": [{"type": "Folder", "id": "a"}]},
    {"uid": {"type": "Doc", "id": "b1"}, "attrs": {}, "parents": [{"type": "Folder", "id": "b"}]}
  ])");
  Arena arena;
  std::vector<RecordField> mfa{{"mfa", Value::boolean(true)}};
  Value context = Value::make_record(arena, mfa);
  Authorizer authorizer;
  Request alice{EntityUid::view("User", "alice"), EntityUid::view("Action", "read"),
                EntityUid::view("Doc", "a1"), context};
  Response r = authorizer.authorize(set, alice, entities);
  CHECK(r.decision == Decision::kAllow);
  CHECK(ids(set, r.determining) == std::set<std::string>{"alice-docs"});

  Request alice_on_b = alice;
  alice_on_b.resource = EntityUid::view("Doc", "b1");
  CHECK(authorizer.authorize(set, alice_on_b, entities).decision == Decision::kDeny);

  Request bob = alice_on_b;
  bob.principal = EntityUid::view("User", "bob");
  r = authorizer.authorize(set, bob, entities);
  CHECK(ids(set, r.determining) == std::set<std::string>{"bob-docs"});

  // Links share the template's annotations and conditions.
  CHECK(set.at(0).source->display_name() == "owner-access");
  CHECK(set.at(0).template_id == "policy0");
  Request no_mfa = bob;
  no_mfa.context = Value::empty_record();
  r = authorizer.authorize(set, no_mfa, entities);
  CHECK(r.decision == Decision::kDeny);
  CHECK(r.errors.size() == 1);
}

TEST_CASE("linking checks the template, the id and the slots", "[authorizer][bad-input]") {
  PolicySet set = policies_from(R"(
    permit(principal in ?principal, action, resource);
    permit(principal, action, resource);
  )");
  ast::EntityRef group{"Group", "g"};
  CHECK_THAT(set.link("nope", "x", SlotBindings{group, std::nullopt}).message(),
             ContainsSubstring("no template with id `nope`"));
  CHECK_THAT(set.link("policy0", "policy1", SlotBindings{group, std::nullopt}).message(),
             ContainsSubstring("already exists"));
  CHECK_THAT(set.link("policy0", "x", SlotBindings{}).message(),
             ContainsSubstring("needs a value for ?principal"));
  CHECK_THAT(set.link("policy0", "x", SlotBindings{group, group}).message(),
             ContainsSubstring("has no slot ?resource"));
  CHECK(set.link("policy0", "x", SlotBindings{group, std::nullopt}).ok());
  CHECK_THAT(set.link("policy0", "x", SlotBindings{group, std::nullopt}).message(),
             ContainsSubstring("already exists"));
}

TEST_CASE("duplicate policy ids are refused", "[authorizer][bad-input]") {
  Result<std::vector<ast::Policy>> a =
      parser::parse_policies("permit(principal, action, resource);");
  Result<std::vector<ast::Policy>> b =
      parser::parse_policies("forbid(principal, action, resource);");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  PolicySet set;
  REQUIRE(set.add_all(std::move(a.value())).ok());
  CHECK_THAT(set.add_all(std::move(b.value())).message(),
             ContainsSubstring("`policy0` already exists"));
}

// The index may only narrow the search: for random scopes over a random hierarchy, the
// indexed answer must equal checking every policy one by one.
TEST_CASE("the policy index never drops a policy that applies", "[authorizer]") {
  std::mt19937 rng(20261127);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::string entities_json = "[";
  for (int i = 0; i < 20; ++i) {
    std::string parents;
    for (int j = 0; j < 3; ++j) {
      if (pick(3) == 0) {
        if (!parents.empty()) parents += ",";
        parents += R"({"type": "Group", "id": "g)" + std::to_string(pick(10)) + "\"}";
      }
    }
    bool group = i >= 10;
    if (i > 0) entities_json += ",";
    entities_json += R"({"uid": {"type": ")" + std::string(group ? "Group" : "User") +
                     R"(", "id": ")" + (group ? "g" : "u") + std::to_string(i % 10) +
                     R"("}, "attrs": {}, "parents": [)" + parents + "]}";
  }
  for (int a = 0; a < 4; ++a) {
    entities_json += R"(,{"uid": {"type": "Action", "id": "a)" + std::to_string(a) +
                     R"("}, "attrs": {}, "parents": [{"type": "Action", "id": "all"}]})";
  }
  entities_json += "]";
  Entities entities = entities_from(entities_json);

  std::string text;
  auto entity = [&](bool group_only) {
    bool group = group_only || pick(2) == 0;
    return std::string(group ? "Group::\"g" : "User::\"u") + std::to_string(pick(10)) + "\"";
  };
  for (int p = 0; p < 150; ++p) {
    std::string principal = "principal";
    switch (pick(5)) {
      case 0: principal += " == " + entity(false); break;
      case 1: principal += " in " + entity(true); break;
      case 2: principal += " is User"; break;
      case 3: principal += " is User in " + entity(true); break;
      default: break;
    }
    std::string action = "action";
    switch (pick(4)) {
      case 0: action += " == Action::\"a" + std::to_string(pick(4)) + "\""; break;
      case 1:
        action += " in [Action::\"a" + std::to_string(pick(4)) + "\", Action::\"a" +
                  std::to_string(pick(4)) + "\"]";
        break;
      case 2: action += " in Action::\"all\""; break;
      default: break;
    }
    std::string resource = "resource";
    if (pick(2) == 0) resource += " in " + entity(true);
    text += std::string(pick(4) == 0 ? "forbid" : "permit") + "(" + principal + ", " + action +
            ", " + resource + ");\n";
  }
  PolicySet set = policies_from(text);

  // One by one: every policy's scope as an expression, evaluated without the index.
  Result<std::vector<ast::Policy>> asts = parser::parse_policies(text);
  REQUIRE(asts.ok());
  Authorizer authorizer;
  for (int trial = 0; trial < 400; ++trial) {
    Arena arena;
    auto make_uid = [&](std::string_view type, std::string id) {
      return *EntityUid::make(arena, type, id);
    };
    bool user = pick(2) == 0;
    Request req{make_uid(user ? "User" : "Group", (user ? "u" : "g") + std::to_string(pick(12))),
                make_uid("Action", "a" + std::to_string(pick(5))),
                make_uid("Group", "g" + std::to_string(pick(12))), Value::empty_record()};
    Response indexed = authorizer.authorize(set, req, entities);

    std::set<std::string> permits, forbids;
    for (std::uint32_t i = 0; i < set.size(); ++i) {
      const CompiledPolicy& p = set.at(i);
      auto scope = [&](const CompiledScope& s, const EntityUid& uid) {
        switch (s.kind) {
          case ast::ScopeConstraint::Kind::kAny: return true;
          case ast::ScopeConstraint::Kind::kEq: return uid == *s.target;
          case ast::ScopeConstraint::Kind::kIn: return entities.is_in(uid, *s.target);
          case ast::ScopeConstraint::Kind::kIs: return uid.type == s.entity_type;
          case ast::ScopeConstraint::Kind::kIsIn:
            return uid.type == s.entity_type && entities.is_in(uid, *s.target);
        }
        return false;
      };
      bool action_ok = p.action.kind == ast::ActionConstraint::Kind::kAny;
      for (const EntityUid* t : p.action.targets) {
        action_ok |= p.action.kind == ast::ActionConstraint::Kind::kEq
                         ? req.action == *t
                         : entities.is_in(req.action, *t);
      }
      if (scope(p.principal, req.principal) && action_ok && scope(p.resource, req.resource)) {
        (p.effect == ast::Effect::kPermit ? permits : forbids).insert(p.id);
      }
    }
    std::set<std::string> expected = forbids.empty() ? permits : forbids;
    INFO("trial " << trial);
    CHECK(ids(set, indexed.determining) == expected);
    CHECK((indexed.decision == Decision::kAllow) == (forbids.empty() && !permits.empty()));
  }
}

}  // namespace
}  // namespace crossgate::cedar
