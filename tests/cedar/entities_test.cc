// The entity store (hierarchy closure) and the entities/context JSON formats, with and
// without a schema.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/entities/json_value.h"

namespace crossgate::cedar {
namespace {

using Catch::Matchers::ContainsSubstring;

EntityUid uid(std::string_view type, std::string_view id) {
  return EntityUid::view(type, id);
}

TEST_CASE("the hierarchy closure is transitive and tolerates cycles", "[entities]") {
  EntitiesBuilder builder;
  EntityUid a = uid("G", "a"), b = uid("G", "b"), c = uid("G", "c"), d = uid("G", "d");
  REQUIRE(builder.add(a, Value::empty_record(), std::vector<EntityUid>{b}).ok());
  REQUIRE(builder.add(b, Value::empty_record(), std::vector<EntityUid>{c}).ok());
  REQUIRE(builder.add(c, Value::empty_record(), std::vector<EntityUid>{b, d}).ok());  // b <-> c
  Entities store = std::move(builder).build();
  CHECK(store.is_in(a, d));
  CHECK(store.is_in(b, c));
  CHECK(store.is_in(c, b));
  CHECK(store.is_in(b, b));
  CHECK_FALSE(store.is_in(d, a));
  CHECK(store.find(d) == nullptr);  // only named as a parent
  CHECK(store.find(a) != nullptr);
}

TEST_CASE("a deep hierarchy is closed without recursion", "[entities]") {
  EntitiesBuilder builder;
  std::vector<std::string> ids;
  for (int i = 0; i <= 20000; ++i)
    ids.push_back(std::to_string(i));
  for (int i = 0; i < 20000; ++i) {
    EntityUid parent = uid("N", ids[static_cast<std::size_t>(i + 1)]);
    REQUIRE(builder
                .add(uid("N", ids[static_cast<std::size_t>(i)]), Value::empty_record(),
                     std::span<const EntityUid>(&parent, 1))
                .ok());
  }
  Entities store = std::move(builder).build();
  CHECK(store.is_in(uid("N", "0"), uid("N", "20000")));
  CHECK_FALSE(store.is_in(uid("N", "20000"), uid("N", "0")));
}

TEST_CASE("entities JSON: both uid forms, escapes and tags", "[entities]") {
  Result<Entities> store = parse_entities_json(R"([
    {"uid": {"__entity": {"type": "User", "id": "alice"}},
     "attrs": {"ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}},
               "when": {"__extn": {"fn": "offset", "args": [
                   {"__extn": {"fn": "datetime", "arg": "2024-01-01"}},
                   {"__extn": {"fn": "duration", "arg": "1h"}}]}},
               "boss": {"__entity": {"type": "User", "id": "bob"}},
               "plain": {"type": "User", "id": "bob"}},
     "parents": [{"__entity": {"type": "Team", "id": "t"}}, {"type": "Team", "id": "u"}],
     "tags": {"tier": 1}}
  ])",
                                               nullptr, "e.json");
  REQUIRE(store.ok());
  const Entity* alice = store->find(uid("User", "alice"));
  REQUIRE(alice != nullptr);
  CHECK(alice->attrs.find_field("ip")->is(ValueKind::kIpAddr));
  CHECK(to_string(*alice->attrs.find_field("when")) == "datetime(\"2024-01-01T01:00:00.000Z\")");
  CHECK(alice->attrs.find_field("boss")->is(ValueKind::kEntity));
  // Without a schema and without `__entity`, an object is a record.
  CHECK(alice->attrs.find_field("plain")->is(ValueKind::kRecord));
  CHECK(alice->tags.find_field("tier")->as_long() == 1);
  CHECK(store->is_in(uid("User", "alice"), uid("Team", "u")));
}

TEST_CASE("entities JSON errors name the entity and the field", "[entities][bad-input]") {
  auto error = [](std::string_view json) {
    Result<Entities> r = parse_entities_json(json, nullptr, "e.json");
    REQUIRE_FALSE(r.ok());
    return r.message();
  };
  CHECK_THAT(error("{}"), ContainsSubstring("e.json: expected a JSON array of entities"));
  CHECK_THAT(error("[1]"), ContainsSubstring("entity #0: expected an object"));
  CHECK_THAT(error(R"([{"attrs": {}, "parents": []}])"), ContainsSubstring("missing \"uid\""));
  CHECK_THAT(error(R"([{"uid": {"type": "U"}, "attrs": {}, "parents": []}])"),
             ContainsSubstring("expected an entity reference"));
  CHECK_THAT(error(R"([{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 1.5}, "parents": []}])"),
             ContainsSubstring("entity U::\"a\": attribute \"x\": floating-point"));
  CHECK_THAT(error(R"([{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 18446744073709551615},
                       "parents": []}])"),
             ContainsSubstring("out of the range"));
  CHECK_THAT(error(R"([{"uid": {"type": "U", "id": "a"},
                       "attrs": {"x": {"__extn": {"fn": "nope", "arg": "1"}}}, "parents": []}])"),
             ContainsSubstring("unknown extension function `nope`"));
  CHECK_THAT(error(R"([{"uid": {"type": "U", "id": "a"},
                       "attrs": {"x": {"__extn": {"fn": "ip", "arg": "999.0.0.1"}}},
                       "parents": []}])"),
             ContainsSubstring("invalid IP address"));
  CHECK_THAT(error(R"([{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": []},
                       {"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": []}])"),
             ContainsSubstring("duplicate entity U::\"a\""));
  CHECK_THAT(error(R"([{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": [], "x": 1}])"),
             ContainsSubstring("unexpected field \"x\""));
  CHECK_THAT(error(R"([{"uid": {"type": "Action", "id": "a"}, "attrs": {},
                       "parents": [{"type": "U", "id": "b"}]}])"),
             ContainsSubstring("of an action must be an action"));
}

TEST_CASE("strict JSON: duplicate keys and deep nesting are refused", "[entities][bad-input]") {
  CHECK_THAT(parse_json(R"({"a": 1, "a": 2})", "x.json").message(),
             ContainsSubstring("x.json: duplicate key \"a\""));
  CHECK_THAT(parse_json(std::string(100000, '['), "x.json").message(),
             ContainsSubstring("nesting deeper than"));
  CHECK_THAT(parse_json("[1, 2", "x.json").message(), ContainsSubstring("x.json: invalid JSON"));
}

constexpr const char* kSchema = R"(
  namespace App {
    type Address = { city: String, zip?: String };
    entity Team;
    entity User in [Team] { age: Long, home: Address, ip: ipaddr, manager?: User,
                            roles: Set<String> } tags String;
    entity Color enum ["red", "green"];
    entity Doc { color: Color };
    action read appliesTo { principal: User, resource: Doc, context: { at: datetime } };
    action write in [read];
  }
)";

TEST_CASE("schema-based entities: implicit forms, checks, and the schema's actions", "[entities]") {
  Result<Schema> schema = parse_cedarschema(kSchema, "s.cedarschema");
  REQUIRE(schema.ok());
  Result<Entities> store = parse_entities_json(R"([
    {"uid": {"type": "App::User", "id": "a"},
     "attrs": {"age": 3, "home": {"city": "Oslo"}, "ip": "10.0.0.1",
               "manager": {"type": "App::User", "id": "b"}, "roles": ["x"]},
     "parents": [{"type": "App::Team", "id": "t"}], "tags": {"k": "v"}},
    {"uid": {"type": "App::Doc", "id": "d"}, "attrs": {"color": {"type": "App::Color", "id": "red"}},
     "parents": []}
  ])",
                                               &*schema, "e.json");
  INFO((store.ok() ? std::string() : store.message()));
  REQUIRE(store.ok());
  const Entity* a = store->find(uid("App::User", "a"));
  REQUIRE(a != nullptr);
  CHECK(a->attrs.find_field("ip")->is(ValueKind::kIpAddr));
  CHECK(a->attrs.find_field("manager")->is(ValueKind::kEntity));
  // The schema's action hierarchy is in the store.
  CHECK(store->is_in(uid("App::Action", "write"), uid("App::Action", "read")));

  auto error = [&](std::string_view json) {
    Result<Entities> r = parse_entities_json(json, &*schema, "e.json");
    REQUIRE_FALSE(r.ok());
    return r.message();
  };
  std::string user = R"({"uid": {"type": "App::User", "id": "a"}, "parents": [], "attrs": )";
  std::string good = R"("age": 3, "home": {"city": "Oslo"}, "ip": "10.0.0.1", "roles": [])";
  CHECK(parse_entities_json("[" + user + "{" + good + "}}]", &*schema, "e.json").ok());
  CHECK_THAT(error("[" + user + "{" + good + R"(, "extra": 1}}])"),
             ContainsSubstring("attribute \"extra\" is not declared"));
  CHECK_THAT(error("[" + user + R"({"age": 3, "ip": "10.0.0.1", "roles": []}}])"),
             ContainsSubstring("required attribute \"home\" is missing"));
  CHECK_THAT(error("[" + user +
                   R"({"age": "3", "home": {"city": "Oslo"}, "ip": "10.0.0.1", "roles": []}}])"),
             ContainsSubstring("attribute \"age\": expected Long"));
  CHECK_THAT(
      error("[" + user + R"({"age": 3, "home": {"city": 1}, "ip": "10.0.0.1", "roles": []}}])"),
      ContainsSubstring("attribute \"home\": attribute \"city\": expected String"));
  CHECK_THAT(
      error("[" + user + R"({"age": 3, "home": {"city": "O"}, "ip": "nope", "roles": []}}])"),
      ContainsSubstring("attribute \"ip\": expected ipaddr"));
  CHECK_THAT(error(R"([{"uid": {"type": "App::Nope", "id": "a"}, "attrs": {}, "parents": []}])"),
             ContainsSubstring("entity type `App::Nope` is not declared"));
  CHECK_THAT(error(R"([{"uid": {"type": "App::Doc", "id": "d"},
                        "attrs": {"color": {"type": "App::Color", "id": "blue"}}, "parents": []}])"),
             ContainsSubstring("not one of the values of the enumerated type"));
  CHECK_THAT(error(R"([{"uid": {"type": "App::Team", "id": "t"}, "attrs": {},
                        "parents": [{"type": "App::User", "id": "a"}]}])"),
             ContainsSubstring("cannot be a parent"));
  CHECK_THAT(error(R"([{"uid": {"type": "App::Team", "id": "t"}, "attrs": {}, "parents": [],
                        "tags": {"a": "b"}}])"),
             ContainsSubstring("tags are not allowed"));
  CHECK_THAT(
      error(R"([{"uid": {"type": "App::Action", "id": "delete"}, "attrs": {}, "parents": []}])"),
      ContainsSubstring("action is not declared in the schema"));
}

TEST_CASE("contexts are typed by the action's declaration", "[entities]") {
  Result<Schema> schema = parse_cedarschema(kSchema, "s.cedarschema");
  REQUIRE(schema.ok());
  Arena arena;
  EntityUid read = uid("App::Action", "read");
  Result<Value> context =
      parse_context_json(nlohmann::json{{"at", "2024-10-15"}}, arena, &*schema, &read, "context");
  REQUIRE(context.ok());
  CHECK(context->find_field("at")->is(ValueKind::kDatetime));
  CHECK_THAT(
      parse_context_json(nlohmann::json::object(), arena, &*schema, &read, "context").message(),
      ContainsSubstring("required attribute \"at\" is missing"));
  CHECK_THAT(
      parse_context_json(nlohmann::json::array(), arena, nullptr, nullptr, "context").message(),
      ContainsSubstring("must be a JSON object"));
  EntityUid unknown = uid("App::Action", "fly");
  CHECK_THAT(
      parse_context_json(nlohmann::json::object(), arena, &*schema, &unknown, "context").message(),
      ContainsSubstring("not declared"));
}

TEST_CASE("values written as JSON read back equal", "[entities]") {
  Arena arena;
  JsonValueReader reader(arena, nullptr);
  for (const char* text :
       {R"([1, "a", true, {"x": [2]}])", R"({"__entity": {"type": "A::B", "id": "c\"d"}})",
        R"({"__extn": {"fn": "ip", "arg": "::ffff:1:2/100"}})",
        R"({"__extn": {"fn": "decimal", "arg": "-3.25"}})",
        R"({"__extn": {"fn": "duration", "arg": "-1d1ms"}})",
        R"({"__extn": {"fn": "datetime", "arg": "2024-02-29T23:00:00+0100"}})"}) {
    INFO(text);
    Value first, second;
    std::string error;
    REQUIRE(reader.read(nlohmann::json::parse(text), nullptr, first, error));
    REQUIRE(reader.read(to_json(first), nullptr, second, error));
    CHECK(first == second);
  }
}

}  // namespace
}  // namespace crossgate::cedar
