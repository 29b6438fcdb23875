// Fuzzes Cedar's entities JSON and request contexts: the input is read as an entity store
// without a schema and with a fixed schema (which types attributes, parents and tags and
// admits the implicit forms), and, when it is a JSON object, as a request context both
// ways.
#include "fuzz/fuzz_support.h"
#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/schema/schema.h"

namespace {

using namespace crossgate;

// Every kind of schema type: records (nested, optional), sets, entities, extensions,
// tags, enumerated ids and action contexts.
constexpr std::string_view kSchema = R"(
namespace App {
  type Address = { city: String, zip?: String, geo?: { lat: decimal, lon: decimal } };
  entity Group in [Group];
  entity Status enum ["active", "suspended"];
  entity User in [Group] = {
    name: String, age?: Long, admin: Bool, emails: Set<String>, address?: Address,
    manager?: User, status?: Status, ip?: ipaddr, since?: datetime, ttl?: duration,
    nested?: Set<Set<{ k: Long }>>,
  } tags String;
  entity Photo = { owner: User, private: Bool };
  action view appliesTo {
    principal: [User], resource: [Photo],
    context: { ip: ipaddr, mfa: Bool, depth?: Long, regions?: Set<String>, extra?: Address }
  };
  action read in [view];
}
)";

struct World {
  cedar::Schema schema;
  cedar::Arena arena;
  const cedar::EntityUid* action = nullptr;
};

const World& world() {
  static const World* w = [] {
    auto* made = new World;
    cedar::Result<cedar::Schema> schema = cedar::parse_cedarschema(kSchema, "fixed.cedarschema");
    made->schema = std::move(fuzz::must(schema, "schema"));
    made->action = cedar::EntityUid::make(made->arena, "App::Action", "view");
    return made;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const World& w = world();
  std::string_view text = fuzz::as_text(data, size);
  (void)cedar::parse_entities_json(text, nullptr, "fuzz.entities.json");
  (void)cedar::parse_entities_json(text, &w.schema, "fuzz.entities.json");

  cedar::Result<nlohmann::json> json = cedar::parse_json(text, "fuzz.context.json");
  if (!json.ok() || !json->is_object()) return 0;
  cedar::Arena arena;
  (void)cedar::parse_context_json(*json, arena, nullptr, w.action, "context");
  (void)cedar::parse_context_json(*json, arena, &w.schema, w.action, "context");
  return 0;
}
