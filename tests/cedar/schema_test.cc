#include "policy/cedar/schema/schema.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace crossgate::cedar {
namespace {

Schema parse_ok(std::string_view text) {
  Result<Schema> schema = parse_cedarschema(text, "schema.cedarschema");
  INFO(text);
  if (!schema) FAIL(schema.message());
  return std::move(schema).value();
}

Schema parse_json_ok(std::string_view text) {
  Result<Schema> schema = parse_json_schema(text, "schema.json");
  INFO(text);
  if (!schema) FAIL(schema.message());
  return std::move(schema).value();
}

std::string parse_error(std::string_view text) {
  Result<Schema> schema = parse_cedarschema(text, "schema.cedarschema");
  INFO(text);
  REQUIRE_FALSE(schema.ok());
  return schema.message();
}

std::string parse_json_error(std::string_view text) {
  Result<Schema> schema = parse_json_schema(text, "schema.json");
  INFO(text);
  REQUIRE_FALSE(schema.ok());
  return schema.message();
}

std::string shape_of(const Schema& schema, std::string_view entity_type) {
  const EntityTypeDecl* decl = schema.find_entity_type(entity_type);
  if (decl == nullptr) return "<no entity type " + std::string(entity_type) + ">";
  return to_string(*decl->shape);
}

std::string context_of(const Schema& schema, std::string_view type, std::string_view id) {
  const ActionDecl* decl = schema.find_action(type, id);
  if (decl == nullptr) return "<no action>";
  return to_string(*decl->context);
}

// The whole model as text, annotations included, to compare schemas written differently.
void dump_annotations(std::string& out, const std::map<std::string, std::string>& annotations) {
  for (const auto& [key, value] : annotations)
    out += " @" + key + "(" + value + ")";
}

void dump_type(std::string& out, const SchemaType& type) {
  if (type.kind == SchemaType::Kind::kSet) {
    out += "Set<";
    dump_type(out, *type.element);
    out += ">";
  } else if (type.kind == SchemaType::Kind::kRecord) {
    out += "{";
    for (const auto& [name, attribute] : type.attributes) {
      dump_annotations(out, attribute.annotations);
      out += " " + name + (attribute.required ? ": " : "?: ");
      dump_type(out, *attribute.type);
      out += ",";
    }
    out += "}";
  } else {
    out += to_string(type);
  }
}

std::string dump(const Schema& schema) {
  std::string out;
  for (const auto& [name, decl] : schema.entity_types()) {
    out += "entity " + name + " in [";
    for (const std::string& parent : decl.parent_types)
      out += parent + ",";
    out += "] shape ";
    dump_type(out, *decl.shape);
    if (decl.tags) {
      out += " tags ";
      dump_type(out, *decl.tags);
    }
    if (decl.enum_ids) {
      out += " enum [";
      for (const std::string& id : *decl.enum_ids)
        out += id + ",";
      out += "]";
    }
    dump_annotations(out, decl.annotations);
    out += "\n";
  }
  std::vector<std::string> actions;
  for (const ActionDecl& decl : schema.actions()) {
    std::string line = "action " + decl.uid.type + "::" + decl.uid.id + " in [";
    for (const ActionRef& parent : decl.parents)
      line += parent.type + "::" + parent.id + ",";
    line += decl.has_applies_to ? "] appliesTo principal [" : "] principal [";
    for (const std::string& type : decl.principal_types)
      line += type + ",";
    line += "] resource [";
    for (const std::string& type : decl.resource_types)
      line += type + ",";
    line += "] context ";
    dump_type(line, *decl.context);
    dump_annotations(line, decl.annotations);
    actions.push_back(line + "\n");
  }
  std::sort(actions.begin(), actions.end());
  for (const std::string& line : actions)
    out += line;
  return out;
}

// ---------------------------------------------------------------------------------------
// The `.cedarschema` syntax

TEST_CASE("entity declarations: several names, parents, shapes, tags, enums", "[schema]") {
  Schema schema = parse_ok(R"(
    entity Group;
    entity Org, Team in Group;
    entity User in [Group, Team] = { name: String, age?: Long };
    entity Doc in [] { owner: User };
    entity Tagged tags Set<String>;
    entity Both in Group { a: Bool } tags Long;
    entity Color enum ["red", "green", "blue"];
  )");
  REQUIRE(schema.entity_types().size() == 8);
  const EntityTypeDecl* user = schema.find_entity_type("User");
  REQUIRE(user != nullptr);
  CHECK(user->parent_types == std::vector<std::string>{"Group", "Team"});
  CHECK(to_string(*user->shape) == "{age?: Long, name: String}");
  CHECK(user->tags == nullptr);
  CHECK_FALSE(user->enum_ids.has_value());
  CHECK(user->source == "schema.cedarschema");
  CHECK(user->loc.line == 4);
  CHECK(user->loc.column == 12);

  CHECK(schema.find_entity_type("Org")->parent_types == std::vector<std::string>{"Group"});
  CHECK(schema.find_entity_type("Team")->parent_types == std::vector<std::string>{"Group"});
  CHECK(schema.find_entity_type("Doc")->parent_types.empty());
  CHECK(shape_of(schema, "Doc") == "{owner: Entity<User>}");
  CHECK(shape_of(schema, "Group") == "{}");
  REQUIRE(schema.find_entity_type("Tagged")->tags != nullptr);
  CHECK(to_string(*schema.find_entity_type("Tagged")->tags) == "Set<String>");
  CHECK(to_string(*schema.find_entity_type("Both")->tags) == "Long");
  CHECK(shape_of(schema, "Both") == "{a: Bool}");

  const EntityTypeDecl* color = schema.find_entity_type("Color");
  REQUIRE(color->enum_ids.has_value());
  CHECK(*color->enum_ids == std::vector<std::string>{"red", "green", "blue"});
  CHECK(to_string(*color->shape) == "{}");
  CHECK(schema.find_entity_type("Nope") == nullptr);
}

TEST_CASE("types: primitives, sets, records, extensions, __cedar names", "[schema]") {
  Schema schema = parse_ok(R"(
    entity E = {
      b: Bool, l: Long, s: String,
      set: Set<Set<Long>>,
      rec: { inner?: { deep: String }, "quoted name"?: Long, },
      ip: ipaddr, dec: decimal, dt: datetime, dur: duration,
      cb: __cedar::Bool, cl: __cedar::Long, cs: __cedar::String, cip: __cedar::ipaddr,
      e: E, es: Set<E>,
    };
  )");
  const SchemaType& shape = *schema.find_entity_type("E")->shape;
  REQUIRE(shape.kind == SchemaType::Kind::kRecord);
  auto type_of = [&](const std::string& name) {
    return to_string(*shape.attributes.at(name).type);
  };
  CHECK(type_of("b") == "Bool");
  CHECK(type_of("l") == "Long");
  CHECK(type_of("s") == "String");
  CHECK(type_of("set") == "Set<Set<Long>>");
  CHECK(type_of("rec") == "{inner?: {deep: String}, \"quoted name\"?: Long}");
  CHECK(type_of("ip") == "ipaddr");
  CHECK(type_of("dec") == "decimal");
  CHECK(type_of("dt") == "datetime");
  CHECK(type_of("dur") == "duration");
  CHECK(type_of("cb") == "Bool");
  CHECK(type_of("cl") == "Long");
  CHECK(type_of("cs") == "String");
  CHECK(type_of("cip") == "ipaddr");
  CHECK(type_of("e") == "Entity<E>");
  CHECK(type_of("es") == "Set<Entity<E>>");
  CHECK(shape.attributes.at("b").required);
  const SchemaType& rec = *shape.attributes.at("rec").type;
  CHECK_FALSE(rec.attributes.at("inner").required);
  CHECK(shape.attributes.at("ip").type->kind == SchemaType::Kind::kExtension);
  CHECK(shape.attributes.at("ip").type->name == "ipaddr");
  CHECK(shape.attributes.at("e").type->kind == SchemaType::Kind::kEntity);
  CHECK(shape.attributes.at("e").type->name == "E");
}

TEST_CASE("actions: names, parents, appliesTo, context", "[schema]") {
  Schema schema = parse_ok(R"(
    entity User, Admin, Doc;
    type Ctx = { ip: ipaddr };
    action read;
    action "write", edit in read;
    action "delete" in [read, "write", Action::"edit"] appliesTo {
      principal: User,
      resource: [Doc],
      context: { force: Bool },
    };
    action view appliesTo { context: Ctx, resource: Doc, principal: [User, Admin] };
    action "with attrs" appliesTo { principal: User, resource: Doc } attributes {};
  )");
  REQUIRE(schema.actions().size() == 6);
  CHECK(schema.actions()[0].uid == ActionRef{"Action", "read"});
  CHECK(schema.actions()[1].uid == ActionRef{"Action", "write"});
  CHECK(schema.actions()[2].uid == ActionRef{"Action", "edit"});

  const ActionDecl* read = schema.find_action("Action", "read");
  REQUIRE(read != nullptr);
  CHECK_FALSE(read->has_applies_to);
  CHECK(read->principal_types.empty());
  CHECK(read->resource_types.empty());
  CHECK(to_string(*read->context) == "{}");
  CHECK(read->parents.empty());

  const ActionDecl* edit = schema.find_action("Action", "edit");
  CHECK(edit->parents == std::vector<ActionRef>{{"Action", "read"}});

  const ActionDecl* del = schema.find_action("Action", "delete");
  REQUIRE(del != nullptr);
  CHECK(del->has_applies_to);
  CHECK(del->parents ==
        std::vector<ActionRef>{{"Action", "read"}, {"Action", "write"}, {"Action", "edit"}});
  CHECK(del->principal_types == std::vector<std::string>{"User"});
  CHECK(del->resource_types == std::vector<std::string>{"Doc"});
  CHECK(context_of(schema, "Action", "delete") == "{force: Bool}");

  const ActionDecl* view = schema.find_action("Action", "view");
  CHECK(view->principal_types == std::vector<std::string>{"User", "Admin"});
  CHECK(to_string(*view->context) == "{ip: ipaddr}");
  CHECK(schema.find_action("Action", "with attrs") != nullptr);
  CHECK(schema.find_action("Action", "nope") == nullptr);
  CHECK(schema.find_action("Other", "read") == nullptr);
}

TEST_CASE("namespaces: nested names, action types, references across them", "[schema]") {
  Schema schema = parse_ok(R"(
    entity Global;
    namespace App::Docs {
      entity User;
      entity Doc in [Folder, Global] { owner: User, admin: Admin::Person };
      entity Folder;
      action read appliesTo { principal: User, resource: [Doc, Folder] };
      action write in [read, App::Docs::Action::"read"];
    }
    namespace Admin {
      entity Person;
      action manage in [App::Docs::Action::"read", Action::"root"]
        appliesTo { principal: Person, resource: App::Docs::Doc };
      action root;
    }
    action top in [Action::"top2"];
    action top2;
  )");
  const EntityTypeDecl* doc = schema.find_entity_type("App::Docs::Doc");
  REQUIRE(doc != nullptr);
  CHECK(doc->parent_types == std::vector<std::string>{"App::Docs::Folder", "Global"});
  CHECK(to_string(*doc->shape) == "{admin: Entity<Admin::Person>, owner: Entity<App::Docs::User>}");

  const ActionDecl* read = schema.find_action("App::Docs::Action", "read");
  REQUIRE(read != nullptr);
  CHECK(read->principal_types == std::vector<std::string>{"App::Docs::User"});
  CHECK(read->resource_types == std::vector<std::string>{"App::Docs::Doc", "App::Docs::Folder"});
  // Both spellings name the same parent, which is listed once.
  CHECK(schema.find_action("App::Docs::Action", "write")->parents ==
        std::vector<ActionRef>{{"App::Docs::Action", "read"}});
  CHECK(schema.find_action("Admin::Action", "manage")->parents ==
        std::vector<ActionRef>{{"App::Docs::Action", "read"}, {"Admin::Action", "root"}});
  CHECK(schema.find_action("Admin::Action", "manage")->resource_types ==
        std::vector<std::string>{"App::Docs::Doc"});
  CHECK(schema.find_action("Action", "top")->parents == std::vector<ActionRef>{{"Action", "top2"}});

  CHECK(schema.is_action_type("Action"));
  CHECK(schema.is_action_type("App::Docs::Action"));
  CHECK(schema.is_action_type("Admin::Action"));
  CHECK_FALSE(schema.is_action_type("Other::Action"));
  CHECK_FALSE(schema.is_action_type("App::Action"));
  CHECK_FALSE(schema.is_action_type("App::Docs::User"));
}

TEST_CASE("an unqualified action parent falls back to the empty namespace", "[schema]") {
  Schema schema = parse_ok(R"(
    action base;
    namespace NS {
      action child in [base, "base2"];
      action base2;
    }
  )");
  CHECK(schema.find_action("NS::Action", "child")->parents ==
        std::vector<ActionRef>{{"Action", "base"}, {"NS::Action", "base2"}});
}

TEST_CASE("annotations on namespaces, declarations and attributes", "[schema]") {
  Schema schema = parse_ok(R"(
    @doc("the app")
    namespace App {
      @doc("a user") @internal
      entity User = {
        @doc("their name") name: String,
        @in("reserved words are fine as keys") @sensitive age?: Long,
      };
      @doc("reads")
      action read appliesTo { principal: User, resource: User,
                              context: { @doc("ctx") ip: ipaddr } };
      @doc("a type")
      type T = Long;
    }
    @top entity Top;
  )");
  const EntityTypeDecl* user = schema.find_entity_type("App::User");
  CHECK(user->annotations ==
        std::map<std::string, std::string>{{"doc", "a user"}, {"internal", ""}});
  const SchemaAttribute& name = user->shape->attributes.at("name");
  CHECK(name.annotations == std::map<std::string, std::string>{{"doc", "their name"}});
  CHECK(user->shape->attributes.at("age").annotations ==
        std::map<std::string, std::string>{{"in", "reserved words are fine as keys"},
                                           {"sensitive", ""}});
  const ActionDecl* read = schema.find_action("App::Action", "read");
  CHECK(read->annotations == std::map<std::string, std::string>{{"doc", "reads"}});
  CHECK(read->context->attributes.at("ip").annotations ==
        std::map<std::string, std::string>{{"doc", "ctx"}});
  CHECK(schema.find_entity_type("Top")->annotations ==
        std::map<std::string, std::string>{{"top", ""}});
}

TEST_CASE("comments, keywords as names, string escapes", "[schema]") {
  Schema schema = parse_ok(
      "// a comment at the start\n"
      "entity entity, namespace, action, Set, tags; // keywords are names too\n"
      "entity E = {\n"
      "  type: String, // trailing comment\n"
      "  \"esc\\n\\t\\\"\\\\\\u{1F600}\\x41\": Long,\n"
      "  principal: Set<Set>,\n"
      "};\n"
      "action \"caf\xC3\xA9\";\n"
      "// a comment at the end without newline");
  CHECK(schema.find_entity_type("entity") != nullptr);
  CHECK(schema.find_entity_type("tags") != nullptr);
  const SchemaType& shape = *schema.find_entity_type("E")->shape;
  CHECK(shape.attributes.contains("type"));
  CHECK(
      shape.attributes.contains("esc\n\t\"\\\xF0\x9F\x98\x80"
                                "A"));
  CHECK(to_string(*shape.attributes.at("principal").type) == "Set<Entity<Set>>");
  CHECK(schema.find_action("Action", "caf\xC3\xA9") != nullptr);
}

TEST_CASE("common types are inlined and shared", "[schema]") {
  Schema schema = parse_ok(R"(
    type Name = String;
    type Person = { first: Name, last: Name, tags: Set<Name> };
    entity User = { me: Person, boss?: Person };
    action a appliesTo { principal: User, resource: User, context: Person };
    namespace NS { type Local = Person; entity E = { p: Local }; }
  )");
  const SchemaType& shape = *schema.find_entity_type("User")->shape;
  CHECK(to_string(shape) ==
        "{boss?: {first: String, last: String, tags: Set<String>}, "
        "me: {first: String, last: String, tags: Set<String>}}");
  // One resolved tree per common type, referenced wherever the type is used.
  CHECK(shape.attributes.at("me").type == shape.attributes.at("boss").type);
  CHECK(schema.find_action("Action", "a")->context == shape.attributes.at("me").type);
  CHECK(schema.find_entity_type("NS::E")->shape->attributes.at("p").type ==
        shape.attributes.at("me").type);
}

// ---------------------------------------------------------------------------------------
// Name resolution (RFC 24 / RFC 52)

TEST_CASE("resolution: a common type wins over an entity type of the same name", "[schema]") {
  Schema schema = parse_ok(R"(
    namespace NS {
      type T = Long;
      entity T;
      entity E = { t: T, qualified: NS::T };
      action a appliesTo { principal: T, resource: T };
    }
  )");
  CHECK(shape_of(schema, "NS::E") == "{qualified: Long, t: Long}");
  // `principal` and `resource` only ever name entity types.
  CHECK(schema.find_action("NS::Action", "a")->principal_types ==
        std::vector<std::string>{"NS::T"});
}

TEST_CASE("resolution: the current namespace, then the empty one, then builtins", "[schema]") {
  // RFC 70 keeps user declarations from clashing across the two namespaces, so the order
  // shows against the builtins, which live in the empty namespace.
  Schema schema = parse_ok(R"(
    entity Shared;
    namespace NS {
      type ipaddr = String;
      entity Bool;
      entity E = { ip: ipaddr, b: Bool, s: Shared, q: NS::Bool, l: Long };
      entity Shared2 in Shared;
    }
  )");
  CHECK(shape_of(schema, "NS::E") ==
        "{b: Entity<NS::Bool>, ip: String, l: Long, q: Entity<NS::Bool>, s: Entity<Shared>}");
  CHECK(schema.find_entity_type("NS::Shared2")->parent_types == std::vector<std::string>{"Shared"});
}

TEST_CASE("resolution: declarations shadow the builtin names", "[schema]") {
  Schema schema = parse_ok(R"(
    entity String;
    type ipaddr = Long;
    entity E = { s: String, real: __cedar::String, ip: ipaddr, real_ip: __cedar::ipaddr,
                 n: Long };
    namespace NS {
      entity Long;
      entity F = { l: Long, real: __cedar::Long, s: String, d: decimal };
    }
  )");
  CHECK(shape_of(schema, "E") ==
        "{ip: Long, n: Long, real: String, real_ip: ipaddr, s: Entity<String>}");
  CHECK(shape_of(schema, "NS::F") ==
        "{d: decimal, l: Entity<NS::Long>, real: Long, s: Entity<String>}");
}

TEST_CASE("resolution: the empty namespace's common type before its entity type", "[schema]") {
  Schema schema = parse_ok(R"(
    type X = Bool;
    entity X;
    namespace NS { entity E in [X] = { x: X }; }
  )");
  CHECK(shape_of(schema, "NS::E") == "{x: Bool}");
  CHECK(schema.find_entity_type("NS::E")->parent_types == std::vector<std::string>{"X"});
}

TEST_CASE("resolution: Action types can be attribute types", "[schema]") {
  Schema schema = parse_ok(R"(
    namespace NS {
      action read;
      entity Log = { what: Action, all: Set<NS::Action> };
    }
  )");
  CHECK(shape_of(schema, "NS::Log") == "{all: Set<Entity<NS::Action>>, what: Entity<NS::Action>}");
}

// ---------------------------------------------------------------------------------------
// Fragments

TEST_CASE("fragments reference each other's declarations", "[schema]") {
  SchemaBuilder builder;
  REQUIRE(builder
              .add_cedarschema(R"(
    namespace Core { entity User; type Meta = { created: datetime }; action base; }
  )",
                               "core.cedarschema")
              .ok());
  REQUIRE(builder
              .add_cedarschema(R"(
    namespace App {
      entity Doc = { owner: Core::User, meta: Core::Meta, mine: Mine };
      action read in Core::Action::"base" appliesTo { principal: Core::User, resource: Doc };
    }
  )",
                               "app.cedarschema")
              .ok());
  REQUIRE(builder
              .add_json(R"({
    "App": {
      "entityTypes": { "Mine": { "memberOfTypes": ["Core::User"] } },
      "actions": { "write": { "memberOf": [{ "id": "read" }] } }
    }
  })",
                        "app.json")
              .ok());
  Result<Schema> schema = builder.build();
  REQUIRE(schema.ok());
  CHECK(shape_of(*schema, "App::Doc") ==
        "{meta: {created: datetime}, mine: Entity<App::Mine>, owner: Entity<Core::User>}");
  CHECK(schema->find_entity_type("App::Doc")->source == "app.cedarschema");
  CHECK(schema->find_entity_type("App::Mine")->source == "app.json");
  CHECK(schema->find_action("App::Action", "read")->parents ==
        std::vector<ActionRef>{{"Core::Action", "base"}});
  CHECK(schema->find_action("App::Action", "write")->parents ==
        std::vector<ActionRef>{{"App::Action", "read"}});
  CHECK(schema->find_entity_type("App::Mine")->parent_types ==
        std::vector<std::string>{"Core::User"});

  // A builder can be moved and built again.
  SchemaBuilder moved = std::move(builder);
  CHECK(moved.build().ok());
}

TEST_CASE("fragments: declaring the same thing twice is an error", "[schema]") {
  SchemaBuilder builder;
  REQUIRE(builder.add_cedarschema("namespace NS { entity User; }", "a.cedarschema").ok());
  REQUIRE(builder.add_cedarschema("namespace NS {\n  entity User;\n}", "b.cedarschema").ok());
  Result<Schema> schema = builder.build();
  REQUIRE_FALSE(schema.ok());
  CHECK(schema.message() ==
        "b.cedarschema:2:10: entity type `NS::User` is declared twice (first at "
        "a.cedarschema:1:23)");
}

TEST_CASE("an empty builder builds an empty schema", "[schema]") {
  Result<Schema> schema = SchemaBuilder().build();
  REQUIRE(schema.ok());
  CHECK(schema->entity_types().empty());
  CHECK(schema->actions().empty());
  CHECK(parse_ok("").actions().empty());
  CHECK(parse_ok("  // nothing\n").entity_types().empty());
}

// ---------------------------------------------------------------------------------------
// JSON schemas

TEST_CASE("JSON: every type form", "[schema]") {
  Schema schema = parse_json_ok(R"({
    "NS": {
      "annotations": { "doc": "ns" },
      "commonTypes": {
        "Name": { "type": "String", "annotations": { "doc": "a name" } },
        "Rec": { "type": "Record", "attributes": { "n": { "type": "Name" } } }
      },
      "entityTypes": {
        "User": {
          "memberOfTypes": ["Group"],
          "shape": {
            "type": "Record",
            "additionalAttributes": false,
            "attributes": {
              "b": { "type": "Boolean" },
              "l": { "type": "Long", "required": false },
              "s": { "type": "Set", "element": { "type": "Entity", "name": "Group" } },
              "e": { "type": "Extension", "name": "decimal" },
              "eoc": { "type": "EntityOrCommon", "name": "Name" },
              "eoc2": { "type": "EntityOrCommon", "name": "Group" },
              "eoc3": { "type": "EntityOrCommon", "name": "Long" },
              "c": { "type": "Rec", "annotations": { "doc": "common" } },
              "builtin": { "type": "Bool" },
              "cedar": { "type": "__cedar::String" }
            }
          },
          "tags": { "type": "String" },
          "annotations": { "doc": "user" }
        },
        "Group": {},
        "Color": { "enum": ["red"] }
      },
      "actions": {
        "read": {
          "appliesTo": {
            "principalTypes": ["User"], "resourceTypes": ["Group", "User"],
            "context": { "type": "Rec" }
          },
          "annotations": { "doc": "read" }
        },
        "write": { "memberOf": [{ "id": "read" }, { "id": "read", "type": "NS::Action" }] },
        "none": { "appliesTo": { "principalTypes": [], "resourceTypes": [] } }
      }
    }
  })");
  const EntityTypeDecl* user = schema.find_entity_type("NS::User");
  REQUIRE(user != nullptr);
  CHECK(to_string(*user->shape) ==
        "{b: Bool, builtin: Bool, c: {n: String}, cedar: String, e: decimal, eoc: String, "
        "eoc2: Entity<NS::Group>, eoc3: Long, l?: Long, s: Set<Entity<NS::Group>>}");
  CHECK(user->shape->attributes.at("c").annotations ==
        std::map<std::string, std::string>{{"doc", "common"}});
  CHECK(to_string(*user->tags) == "String");
  CHECK(user->parent_types == std::vector<std::string>{"NS::Group"});
  CHECK(user->annotations == std::map<std::string, std::string>{{"doc", "user"}});
  CHECK(*schema.find_entity_type("NS::Color")->enum_ids == std::vector<std::string>{"red"});
  const ActionDecl* read = schema.find_action("NS::Action", "read");
  CHECK(read->resource_types == std::vector<std::string>{"NS::Group", "NS::User"});
  CHECK(to_string(*read->context) == "{n: String}");
  CHECK(schema.find_action("NS::Action", "write")->parents ==
        std::vector<ActionRef>{{"NS::Action", "read"}});
  CHECK_FALSE(schema.find_action("NS::Action", "write")->has_applies_to);
  CHECK(schema.find_action("NS::Action", "none")->has_applies_to);
  CHECK(schema.find_action("NS::Action", "none")->principal_types.empty());
}

TEST_CASE("JSON and text forms of a schema give the same model", "[schema]") {
  Schema text = parse_ok(R"(
    @doc("ns")
    namespace PhotoApp {
      type Ctx = { ip: ipaddr, "quoted key"?: Set<Long> };
      @doc("users")
      entity User in [Group] = { name: String, @pii email?: String, friends: Set<User> };
      entity Group;
      entity Photo in Album tags String;
      entity Album;
      entity Level enum ["low", "high"];
      action view appliesTo { principal: [User, Group], resource: Photo, context: Ctx };
      @doc("edit")
      action edit in view appliesTo { principal: User, resource: [Photo, Album],
                                      context: { reason: String } };
      action admin;
    }
    entity Root = { p: PhotoApp::User };
    action "global" in PhotoApp::Action::"admin";
  )");
  Schema json = parse_json_ok(R"({
    "PhotoApp": {
      "annotations": { "doc": "ns" },
      "commonTypes": {
        "Ctx": { "type": "Record", "attributes": {
          "ip": { "type": "Extension", "name": "ipaddr" },
          "quoted key": { "type": "Set", "element": { "type": "Long" }, "required": false } } }
      },
      "entityTypes": {
        "User": {
          "memberOfTypes": ["Group"],
          "annotations": { "doc": "users" },
          "shape": { "type": "Record", "attributes": {
            "name": { "type": "String" },
            "email": { "type": "String", "required": false, "annotations": { "pii": null } },
            "friends": { "type": "Set", "element": { "type": "Entity", "name": "User" } } } }
        },
        "Group": {},
        "Photo": { "memberOfTypes": ["Album"], "tags": { "type": "String" } },
        "Album": { "shape": { "type": "Record", "attributes": {} } },
        "Level": { "enum": ["low", "high"] }
      },
      "actions": {
        "view": { "appliesTo": { "principalTypes": ["User", "Group"],
                                 "resourceTypes": ["Photo"], "context": { "type": "Ctx" } } },
        "edit": { "annotations": { "doc": "edit" }, "memberOf": [{ "id": "view" }],
                  "appliesTo": { "principalTypes": ["User"], "resourceTypes": ["Photo", "Album"],
                                 "context": { "type": "Record", "attributes": {
                                   "reason": { "type": "String" } } } } },
        "admin": {}
      }
    },
    "": {
      "entityTypes": { "Root": { "shape": { "type": "Record", "attributes": {
        "p": { "type": "EntityOrCommon", "name": "PhotoApp::User" } } } } },
      "actions": { "global": { "memberOf": [{ "type": "PhotoApp::Action", "id": "admin" }] } }
    }
  })");
  CHECK(dump(text) == dump(json));
  CHECK(dump(text).find("entity PhotoApp::User in [PhotoApp::Group,]") != std::string::npos);
}

TEST_CASE("the conformance schemas parse and resolve", "[schema]") {
  namespace fs = std::filesystem;
  const char* env = std::getenv("CROSSGATE_SHARED_DIR");
  const fs::path shared =
      env != nullptr ? fs::path(env) : fs::path(CROSSGATE_SOURCE_DIR) / ".." / "shared";
  const fs::path conformance = shared / "cedar-conformance";
  if (!fs::exists(conformance)) {
    SKIP("no Cedar conformance data at " << conformance.string()
                                         << " (set CROSSGATE_SHARED_DIR to the shared folder)");
  }
  auto check_file = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Result<Schema> schema = path.extension() == ".json"
                                ? parse_json_schema(text.str(), path.string())
                                : parse_cedarschema(text.str(), path.string());
    INFO(path.string());
    if (!schema) FAIL(schema.message());
  };

  int samples = 0;
  for (const auto& dir : fs::directory_iterator(conformance / "sample-data")) {
    for (const auto& file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() == ".cedarschema") {
        check_file(file.path());
        ++samples;
      }
    }
  }
  CHECK(samples >= 3);
  if (fs::exists(shared / "bench" / "oopsla")) {
    for (const auto& dir : fs::directory_iterator(shared / "bench" / "oopsla")) {
      const fs::path json = dir.path() / "n5" / "schema.cedarschema.json";
      if (fs::exists(json)) check_file(json);
    }
  }

  // The generated corpus ships as a tarball: unpack its schemas into a private folder.
  const fs::path tarball = conformance / "corpus-tests-shared.tar.gz";
  if (!fs::exists(tarball)) SKIP("no corpus tarball at " << tarball.string());
  const fs::path unpacked =
      fs::temp_directory_path() / ("crossgate-schema-corpus-" + std::to_string(::getpid()));
  fs::create_directories(unpacked);
  const std::string command = "tar xzf '" + tarball.string() + "' -C '" + unpacked.string() +
                              "' --wildcards '*.cedarschema'";
  if (std::system(command.c_str()) != 0) {
    fs::remove_all(unpacked);
    SKIP("could not unpack " << tarball.string() << " with tar");
  }
  int corpus = 0;
  for (const auto& file : fs::recursive_directory_iterator(unpacked)) {
    if (file.path().extension() == ".cedarschema") {
      check_file(file.path());
      ++corpus;
    }
  }
  fs::remove_all(unpacked);
  CHECK(corpus > 3900);
}

// ---------------------------------------------------------------------------------------
// to_string

TEST_CASE("to_string writes types as documented", "[schema]") {
  Schema schema = parse_ok(R"(
    namespace NS { entity User; }
    entity E = { a: Long, b?: String, c: Bool, u: NS::User, s: Set<Set<Long>>, r: {},
                 "with space": ipaddr, "in": decimal, n: { x: datetime, y?: duration } };
  )");
  CHECK(shape_of(schema, "E") ==
        "{a: Long, b?: String, c: Bool, \"in\": decimal, n: {x: datetime, y?: duration}, "
        "r: {}, s: Set<Set<Long>>, u: Entity<NS::User>, \"with space\": ipaddr}");
}

// ---------------------------------------------------------------------------------------
// Errors in the `.cedarschema` syntax

TEST_CASE("syntax errors name the position and what was expected", "[schema]") {
  CHECK(parse_error("entity User") ==
        "schema.cedarschema:1:12: unexpected end of input, expected `in`, `=`, `{`, `tags`, "
        "`enum` or `;`");
  CHECK(parse_error("entity User;\nentity Doc = { owner User };") ==
        "schema.cedarschema:2:22: unexpected `User`, expected `:`");
  CHECK(parse_error("entity A in [B,];") ==
        "schema.cedarschema:1:16: unexpected `]`, expected an entity type");
  CHECK(parse_error("entity A = B;") == "schema.cedarschema:1:12: unexpected `B`, expected `{`");
  CHECK(parse_error("namespace NS { namespace Inner {} }") ==
        "schema.cedarschema:1:16: unexpected `namespace`, expected `entity`, `action`, `type` "
        "or `}`");
  CHECK(parse_error("entity A;\n  foo") ==
        "schema.cedarschema:2:3: unexpected `foo`, expected `namespace`, `entity`, `action` or "
        "`type`");
  CHECK(parse_error("entity A { a: Set<Long };") ==
        "schema.cedarschema:1:24: unexpected `}`, expected `>`");
  CHECK(parse_error("entity A { , };") ==
        "schema.cedarschema:1:12: unexpected `,`, expected an attribute name or `}`");
  CHECK(parse_error("entity A enum [];") ==
        "schema.cedarschema:1:16: unexpected `]`, expected a string");
  CHECK(parse_error("entity A enum [\"a\",];") ==
        "schema.cedarschema:1:20: unexpected `]`, expected a string");
  CHECK(parse_error("action a appliesTo {};") ==
        "schema.cedarschema:1:21: unexpected `}`, expected `principal`, `resource` or `context`");
  CHECK(parse_error("action a appliesTo { principal: A,, resource: A };") ==
        "schema.cedarschema:1:35: unexpected `,`, expected `principal`, `resource` or "
        "`context`");
  CHECK(parse_error("action a in Action::view;") ==
        "schema.cedarschema:1:13: an action reference needs a quoted id, as in "
        "`Action::\"view\"`");
  CHECK(parse_error("action a in [];") ==
        "schema.cedarschema:1:14: unexpected `]`, expected an action name");
  CHECK(parse_error("type T = 12;") ==
        "schema.cedarschema:1:10: unexpected number `12`, expected a type");
  CHECK(parse_error("entity A { a: Long } tags;") ==
        "schema.cedarschema:1:26: unexpected `;`, expected a type");
  CHECK(parse_error("@doc(\"x\" entity A;") ==
        "schema.cedarschema:1:10: unexpected `entity`, expected `)`");
}

TEST_CASE("lexical errors", "[schema]") {
  CHECK(parse_error("entity A;\nentity B = { \"open: Long };") ==
        "schema.cedarschema:2:14: unterminated string literal");
  CHECK(parse_error("entity A = { \"bad\\q\": Long };") ==
        "schema.cedarschema:1:18: invalid escape `\\q`");
  CHECK(parse_error("action \"\\u{D800}\";") ==
        "schema.cedarschema:1:9: a unicode escape cannot be a surrogate");
  CHECK(parse_error("action \"\\x80\";") ==
        "schema.cedarschema:1:9: `\\x` escapes must be at most `\\x7F`; use `\\u{...}` instead");
  CHECK(parse_error("entity A;\nentity B $") ==
        "schema.cedarschema:2:10: unexpected character `$`");
  CHECK(parse_error("entity A; /* no */") == "schema.cedarschema:1:11: unexpected character `/`");
  CHECK(parse_error("entity \xFF;") == "schema.cedarschema:1:8: invalid UTF-8");
  CHECK(parse_error("action \"a\rb\";") ==
        "schema.cedarschema:1:10: a bare carriage return is not allowed in a string literal");
  // Whitespace beyond ASCII is skipped, as the reference's `\s` does.
  CHECK(parse_cedarschema("entity\xC2\xA0"
                          "A;",
                          "s")
            .ok());
}

TEST_CASE("declaration-level errors found while parsing", "[schema]") {
  CHECK(parse_error("entity in;") == "schema.cedarschema:1:8: `in` is a reserved identifier");
  CHECK(parse_error("entity A = { true: Long };") ==
        "schema.cedarschema:1:14: `true` is a reserved identifier");
  CHECK(parse_error("namespace if {}") == "schema.cedarschema:1:11: `if` is a reserved identifier");
  CHECK(parse_error("@doc @doc(\"again\") entity A;") ==
        "schema.cedarschema:1:7: duplicate annotation `@doc`");
  CHECK(parse_error("entity A = { a: Long, \"a\"?: String };") ==
        "schema.cedarschema:1:23: duplicate attribute \"a\" in record type");
  CHECK(parse_error("namespace NS {}\nnamespace NS {}") ==
        "schema.cedarschema:2:1: duplicate namespace `NS` (first declared at 1:1)");
  CHECK(parse_error(
            "entity U;\naction view appliesTo { principal: U, principal: U, resource: U };") ==
        "schema.cedarschema:2:39: duplicate `principal` declaration in action \"view\" (first at "
        "2:25)");
  CHECK(parse_error("entity U;\naction v appliesTo { context: {}, principal: U, context: {} };") ==
        "schema.cedarschema:2:49: duplicate `context` declaration in action \"v\" (first at 2:22)");
  CHECK(parse_error("entity U;\naction view, edit appliesTo { principal: U };") ==
        "schema.cedarschema:2:8: action \"view\" has no `resource` declaration in `appliesTo`");
  CHECK(parse_error("entity U;\naction view appliesTo { resource: U };") ==
        "schema.cedarschema:2:8: action \"view\" has no `principal` declaration in `appliesTo`");
  CHECK(parse_error("entity U;\naction view appliesTo { principal: [], resource: U };") ==
        "schema.cedarschema:2:25: the `principal` of action \"view\" is `[]`; it must name at "
        "least one entity type");
}

TEST_CASE("resolution errors name the declaration at fault", "[schema]") {
  CHECK(parse_error("entity User;\n"
                    "action view appliesTo {\n"
                    "  principal: Usr, resource: User };") ==
        "schema.cedarschema:3:14: undeclared entity type `Usr` in the `principal` of action "
        "\"view\"");
  CHECK(parse_error("namespace NS { entity User;\n"
                    "action view appliesTo { principal: User, resource: [User, Doc] }; }") ==
        "schema.cedarschema:2:59: undeclared entity type `Doc` in the `resource` of action "
        "NS::Action::\"view\"");
  CHECK(parse_error("entity User = { manager: { boss: Usr } };") ==
        "schema.cedarschema:1:34: undeclared common or entity type `Usr` in the shape of entity "
        "type `User` (attribute manager.boss)");
  CHECK(parse_error("entity User in [Group];") ==
        "schema.cedarschema:1:17: undeclared entity type `Group` in the parents of entity type "
        "`User`");
  CHECK(parse_error("entity User tags Strin;") ==
        "schema.cedarschema:1:18: undeclared common or entity type `Strin` in the tags of "
        "entity type `User`");
  CHECK(parse_error("entity U;\naction a appliesTo { principal: U, resource: U, context: U };") ==
        "schema.cedarschema:2:58: undeclared common type `U` in the context of action \"a\"");
  CHECK(parse_error("type T = Long;\naction a appliesTo { principal: T, resource: T };") ==
        "schema.cedarschema:2:33: undeclared entity type `T` in the `principal` of action \"a\"");
  CHECK(parse_error("type T = Set<Long>;\nentity U;\n"
                    "action a appliesTo { principal: U, resource: U, context: T };") ==
        "schema.cedarschema:3:58: the context of action \"a\" must be a record type, not "
        "Set<Long>");
  CHECK(parse_error("action a in [b];") ==
        "schema.cedarschema:1:14: undeclared action Action::\"b\" in the parents of action "
        "\"a\"");
  CHECK(parse_error("namespace NS { action a in Other::Action::\"b\"; }") ==
        "schema.cedarschema:1:28: undeclared action Other::Action::\"b\" in the parents of "
        "action NS::Action::\"a\"");
  CHECK(parse_error("entity Action;") ==
        "schema.cedarschema:1:8: `Action` cannot be declared as an entity type; declare actions "
        "with `action`");
  CHECK(parse_error("type Long = String;") ==
        "schema.cedarschema:1:6: `Long` is a reserved schema keyword and cannot name a common "
        "type");
  CHECK(parse_error("entity __cedar;") ==
        "schema.cedarschema:1:8: `__cedar` is reserved and cannot name an entity type");
  CHECK(parse_error("namespace __cedar { entity A; }") ==
        "schema.cedarschema:1:11: namespace `__cedar` uses the reserved name `__cedar`");
  CHECK(parse_error("namespace A::__cedar { entity A; }") ==
        "schema.cedarschema:1:11: namespace `A::__cedar` uses the reserved name `__cedar`");
  CHECK(parse_error("entity A = { x: __cedar::Nope };") ==
        "schema.cedarschema:1:17: undeclared common or entity type `__cedar::Nope` in the shape "
        "of entity type `A` (attribute x)");
}

TEST_CASE("duplicate declarations", "[schema]") {
  CHECK(parse_error("entity A;\nentity B, A;") ==
        "schema.cedarschema:2:11: entity type `A` is declared twice (first at "
        "schema.cedarschema:1:8)");
  CHECK(parse_error("type T = Long;\ntype T = String;") ==
        "schema.cedarschema:2:6: common type `T` is declared twice (first at "
        "schema.cedarschema:1:6)");
  CHECK(parse_error("action \"a\";\naction a;") ==
        "schema.cedarschema:2:8: action \"a\" is declared twice (first at "
        "schema.cedarschema:1:8)");
  // The same basename in different namespaces is fine, as are an entity type and a
  // common type of the same name.
  CHECK(
      parse_cedarschema("namespace A { entity X; action a; }\nnamespace B { entity X; action a; }\n"
                        "type Y = Long; entity Y;",
                        "s")
          .ok());
}

TEST_CASE("nothing in a namespace may shadow the empty namespace (RFC 70)", "[schema]") {
  CHECK(parse_error("entity User;\nnamespace NS { entity User; }") ==
        "schema.cedarschema:2:23: entity type `NS::User` shadows `User` of the empty namespace "
        "(declared at schema.cedarschema:1:8); rename one of them");
  CHECK(parse_error("type T = Long;\nnamespace NS { entity T; }") ==
        "schema.cedarschema:2:23: entity type `NS::T` shadows `T` of the empty namespace "
        "(declared at schema.cedarschema:1:6); rename one of them");
  CHECK(parse_error("entity E;\nnamespace NS { type E = Long; }") ==
        "schema.cedarschema:2:21: common type `NS::E` shadows `E` of the empty namespace "
        "(declared at schema.cedarschema:1:8); rename one of them");
  CHECK(parse_error("action view;\nnamespace NS { action view; }") ==
        "schema.cedarschema:2:23: action NS::Action::\"view\" shadows action \"view\" of the "
        "empty namespace (declared at schema.cedarschema:1:8); rename one of them");
}

TEST_CASE("cycles among common types and actions", "[schema]") {
  CHECK(parse_error("type A = { b: B };\ntype B = Set<A>;") ==
        "schema.cedarschema:2:14: common type `A` is defined in terms of itself: `A` -> `B` -> "
        "`A`");
  CHECK(parse_error("type A = A;") ==
        "schema.cedarschema:1:10: common type `A` is defined in terms of itself: `A` -> `A`");
  CHECK(parse_error("action a in b;\naction b in c;\naction c in a;") ==
        "schema.cedarschema:1:8: action \"a\" is its own ancestor: Action::\"a\" -> "
        "Action::\"b\" -> Action::\"c\" -> Action::\"a\"");
  CHECK(parse_error("action a in a;") ==
        "schema.cedarschema:1:8: action \"a\" is its own ancestor: Action::\"a\" -> "
        "Action::\"a\"");
  // Entity types may be members of their own type.
  CHECK(parse_cedarschema("entity Team in Team; entity A in B; entity B in A;", "s").ok());
}

TEST_CASE("nesting limits: errors, never a crash", "[schema]") {
  auto nested_sets = [](int depth) {
    std::string text = "type T = ";
    for (int i = 0; i < depth; ++i)
      text += "Set<";
    text += "Long";
    for (int i = 0; i < depth; ++i)
      text += ">";
    return text + ";";
  };
  CHECK(parse_cedarschema(nested_sets(63), "s").ok());
  CHECK(parse_error(nested_sets(64)).ends_with("types nest more than 64 levels deep"));
  CHECK(parse_error(nested_sets(100000)).ends_with("types nest more than 64 levels deep"));
  std::string records = "entity E = ";
  for (int i = 0; i < 100000; ++i)
    records += "{a: ";
  CHECK(parse_error(records).ends_with("types nest more than 64 levels deep"));

  // Nesting that only grows when common types are inlined.
  std::string chained = "type T0 = Long;\n";
  for (int i = 1; i <= 70; ++i) {
    chained += "type T" + std::to_string(i) + " = Set<T" + std::to_string(i - 1) + ">;\n";
  }
  CHECK(parse_error(chained).ends_with(
      "types nest more than 64 levels deep once common types are inlined in common type `T64`"));

  // Resolving a chain of aliases written before their targets recurses once per alias:
  // fine for a reasonable chain, an error (not a stack overflow) for a huge one.
  auto aliases = [](int count) {
    std::string text;
    for (int i = 0; i < count; ++i) {
      text += "type A" + std::to_string(i) + " = A" + std::to_string(i + 1) + ";\n";
    }
    return text + "type A" + std::to_string(count) + " = Long;\n";
  };
  CHECK(parse_cedarschema(aliases(100), "s").ok());
  CHECK(parse_error(aliases(10000)).find("types nest too deeply through common types") !=
        std::string::npos);

  // Types that double in size at every level would be exponentially large once inlined.
  std::string doubling = "type D0 = Long;\n";
  for (int i = 1; i <= 40; ++i) {
    std::string prev = "D" + std::to_string(i - 1);
    doubling += "type D" + std::to_string(i) + " = { a: " + prev + ", b: " + prev + " };\n";
  }
  CHECK(parse_error(doubling).find("a type is too large once common types are inlined") !=
        std::string::npos);
}

TEST_CASE("every prefix of a schema is handled without crashing", "[schema]") {
  const std::string text = R"(@doc("x") namespace NS::A {
    type T = { "a"?: Set<__cedar::Long>, b: ipaddr };
    entity U in [G] = { t: T } tags String; entity G enum ["g"];
    action "r"; action w in [Action::"r"] appliesTo { principal: [U], resource: U, context: T, };
  })";
  REQUIRE(parse_cedarschema(text, "s").ok());
  for (std::size_t length = 0; length < text.size(); ++length) {
    Result<Schema> schema = parse_cedarschema(text.substr(0, length), "s");
    if (!schema) CHECK(schema.message().starts_with("s:"));
  }
}

// ---------------------------------------------------------------------------------------
// Errors in JSON schemas

TEST_CASE("JSON syntax errors carry a position", "[schema]") {
  CHECK(parse_json_error("{\n  \"\": { \"entityTypes\": {}, }\n}").starts_with("schema.json:2:"));
  CHECK(parse_json_error("").starts_with("schema.json:1:1: "));
  CHECK(parse_json_error("{\"NS\": {\"entityTypes\": {}, \"actions\": {}, \"actions\": {}}}") ==
        "schema.json: duplicate key \"actions\" in \"NS\"");
}

TEST_CASE("JSON structural errors name the field at fault", "[schema]") {
  CHECK(parse_json_error("[]") ==
        "schema.json: a schema must be a JSON object mapping namespace names to their "
        "definitions");
  CHECK(parse_json_error(R"({"": {"actions": {}}})") ==
        "schema.json: the empty namespace: missing field `entityTypes`");
  CHECK(parse_json_error(R"({"NS": {"entityTypes": {}}})") ==
        "schema.json: namespace `NS`: missing field `actions`");
  CHECK(parse_json_error(R"({"NS": {"entityTypes": {}, "actions": {}, "extra": 1}})") ==
        "schema.json: namespace `NS`: unknown field `extra`, expected `commonTypes`, "
        "`entityTypes`, `actions` or `annotations`");
  CHECK(
      parse_json_error(R"({"": {"entityTypes": {}, "actions": {}, "annotations": {"a": "b"}}})") ==
      "schema.json: the empty namespace: annotations are not allowed on the empty namespace");
  CHECK(parse_json_error(R"({"bad name": {"entityTypes": {}, "actions": {}}})") ==
        "schema.json: invalid namespace name \"bad name\"");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"in": {}}, "actions": {}}})") ==
        "schema.json: the empty namespace: invalid entity type name \"in\"");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"shape": {"type": "Record",
        "attributes": {"x": {"type": "Set"}}}}}, "actions": {}}})") ==
        "schema.json: the empty namespace, entity type `A`, shape, attribute \"x\": a `Set` type "
        "needs an `element` type");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"shape": {"type": "Record",
        "attributes": {}, "additionalAttributes": true}}}, "actions": {}}})") ==
        "schema.json: the empty namespace, entity type `A`, shape: records with "
        "`additionalAttributes: true` are not supported");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"shape": {"type": "Long",
        "element": {"type": "Long"}}}}, "actions": {}}})") ==
        "schema.json: the empty namespace, entity type `A`, shape: field `element` does not "
        "belong in a `Long` type");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"shape": {"type": "Record",
        "attributes": {}, "required": true}}}, "actions": {}}})") ==
        "schema.json: the empty namespace, entity type `A`, shape: unknown field `required`, "
        "expected `type`, `element`, `attributes`, `additionalAttributes` or `name`");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"enum": ["a"], "shape": {"type":
        "Record", "attributes": {}}}}, "actions": {}}})") ==
        "schema.json: the empty namespace, entity type `A`: an enumerated entity type cannot "
        "have `shape`");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"enum": []}}, "actions": {}}})") ==
        "schema.json: the empty namespace, entity type `A`: `enum` must be a non-empty array of "
        "strings");
  CHECK(
      parse_json_error(R"({"": {"entityTypes": {"A": {"memberOfTypes": null}}, "actions": {}}})") ==
      "schema.json: the empty namespace, entity type `A`: field `memberOfTypes` must not be "
      "null");
  CHECK(parse_json_error(R"({"": {"entityTypes": {}, "actions": {"a": {"attributes": {}}}}})") ==
        "schema.json: the empty namespace, action Action::\"a\": action attributes are not "
        "supported");
  CHECK(parse_json_error(R"({"": {"entityTypes": {}, "actions": {"a": {"appliesTo":
        {"principalTypes": []}}}}})") ==
        "schema.json: the empty namespace, action Action::\"a\", appliesTo: missing field "
        "`resourceTypes`");
  CHECK(parse_json_error(R"({"": {"entityTypes": {}, "actions": {"a": {"memberOf":
        [{"id": "b", "kind": "x"}]}}}})") ==
        "schema.json: the empty namespace, action Action::\"a\", memberOf: unknown field `kind`, "
        "expected `id` or `type`");
  CHECK(parse_json_error(R"({"": {"commonTypes": {"T": {"type": "Entity"}}, "entityTypes": {},
        "actions": {}}})") ==
        "schema.json: the empty namespace, common type `T`: a `Entity` type needs a `name`");
  CHECK(parse_json_error(R"({"": {"commonTypes": {"T": {"type": "bad name"}}, "entityTypes": {},
        "actions": {}}})") ==
        "schema.json: the empty namespace, common type `T`: invalid common type name \"bad "
        "name\"");
}

TEST_CASE("JSON resolution errors", "[schema]") {
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"shape": {"type": "Record",
        "attributes": {"x": {"type": "Extension", "name": "money"}}}}}, "actions": {}}})") ==
        "schema.json: unknown extension type `money` in the shape of entity type `A` (attribute "
        "x)");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {"shape": {"type": "Long"}}},
        "actions": {}}})") ==
        "schema.json: the shape of entity type `A` must be a record type, not Long");
  CHECK(parse_json_error(R"({"": {"commonTypes": {"T": {"type": "Long"}}, "entityTypes": {"A":
        {"shape": {"type": "Record", "attributes": {"x": {"type": "Entity", "name": "T"}}}}},
        "actions": {}}})") ==
        "schema.json: undeclared entity type `T` in the shape of entity type `A` (attribute x)");
  CHECK(parse_json_error(R"({"": {"entityTypes": {"A": {}}, "actions": {"a": {"appliesTo":
        {"principalTypes": ["A"], "resourceTypes": ["B"]}}}}})") ==
        "schema.json: undeclared entity type `B` in the `resource` of action \"a\"");
  CHECK(parse_json_error(R"({"NS": {"entityTypes": {}, "actions": {"a": {"memberOf":
        [{"id": "b"}]}}}})") ==
        "schema.json: undeclared action Action::\"b\" in the parents of action "
        "NS::Action::\"a\"");
  CHECK(parse_json_error(R"({"": {"commonTypes": {"Set": {"type": "Long"}}, "entityTypes": {},
        "actions": {}}})") ==
        "schema.json: `Set` is a reserved schema keyword and cannot name a common type");
}

}  // namespace
}  // namespace crossgate::cedar
