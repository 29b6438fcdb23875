// Fuzzes Cedar schemas in both syntaxes: the input is read as a `.cedarschema` fragment
// and as a JSON schema fragment, each resolved on its own and together with a small fixed
// fragment (names resolved across fragments); a schema that builds is then used to
// validate fixed policies and to read a fixed entity store.
#include <vector>

#include "fuzz/fuzz_support.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/parser/policy_parser.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/validator/validator.h"

namespace {

using namespace crossgate;

constexpr std::string_view kBase = R"(
type Address = { city: String, zip?: String };
entity Group;
entity User in [Group] = { name: String, address: Address };
action read;
)";

constexpr std::string_view kPolicies = R"(
permit (principal, action, resource) when { principal.name == "alice" };
permit (principal is User in Group::"staff", action == Action::"view", resource)
  when { context has mfa && context.mfa && resource.owner == principal };
forbid (principal, action in Action::"read", resource) unless { principal.address.city like "P*" };
)";

constexpr std::string_view kEntities = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {"name": "alice",
   "address": {"city": "Paris"}}, "parents": [{"type": "Group", "id": "staff"}]},
  {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": []}
])";

const std::vector<cedar::ast::Policy>& policies() {
  static const auto* parsed = [] {
    auto result = cedar::parser::parse_policies(kPolicies);
    return new std::vector<cedar::ast::Policy>(std::move(fuzz::must(result, "policies")));
  }();
  return *parsed;
}

void use(const cedar::Result<cedar::Schema>& schema) {
  if (!schema.ok()) return;
  (void)cedar::validator::validate(*schema, policies());
  (void)cedar::parse_entities_json(kEntities, &*schema, "entities.json");
  for (const auto& [name, decl] : schema->entity_types())
    (void)cedar::to_string(*decl.shape);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  (void)policies();

  use(cedar::parse_cedarschema(text, "fuzz.cedarschema"));
  use(cedar::parse_json_schema(text, "fuzz.cedarschema.json"));

  cedar::SchemaBuilder human;
  if (human.add_cedarschema(kBase, "base.cedarschema").ok() &&
      human.add_cedarschema(text, "fuzz.cedarschema").ok()) {
    use(human.build());
  }
  cedar::SchemaBuilder json;
  if (json.add_cedarschema(kBase, "base.cedarschema").ok() &&
      json.add_json(text, "fuzz.cedarschema.json").ok()) {
    use(json.build());
  }
  return 0;
}
