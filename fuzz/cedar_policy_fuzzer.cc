// Fuzzes Cedar policy text end to end: parsing, printing back, compiling into a policy
// set, linking every template, and authorizing one fixed request against a small fixed
// entity store (so that evaluation runs on whatever parses).
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "policy/cedar/ast/policy.h"
#include "policy/cedar/authorizer/authorizer.h"
#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/parser/policy_parser.h"

namespace {

using namespace crossgate;

// Attributes of every Cedar type, so that policies can reach each operator.
constexpr std::string_view kEntities = R"([
  {"uid": {"type": "User", "id": "alice"},
   "attrs": {"name": "alice", "age": 42, "admin": false, "tags": ["a", "b"],
             "address": {"city": "Paris", "zip": "75001"},
             "manager": {"__entity": {"type": "User", "id": "bob"}},
             "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1/24"}},
             "limit": {"__extn": {"fn": "decimal", "arg": "12.5000"}},
             "since": {"__extn": {"fn": "datetime", "arg": "2024-01-01T00:00:00Z"}},
             "ttl": {"__extn": {"fn": "duration", "arg": "1h30m"}}},
   "parents": [{"type": "Group", "id": "staff"}],
   "tags": {"team": "claims", "level": 3}},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": [{"type": "Group", "id": "all"}]},
  {"uid": {"type": "Photo", "id": "p1"},
   "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}, "private": true},
   "parents": [{"type": "Album", "id": "holiday"}]},
  {"uid": {"type": "Action", "id": "view"}, "attrs": {},
   "parents": [{"type": "Action", "id": "read"}]}
])";

constexpr std::string_view kContext = R"({"ip": {"__extn": {"fn": "ip", "arg": "192.168.1.7"}},
  "mfa": true, "depth": 2, "purpose": "audit", "regions": ["us-east-1", "eu-west-1"],
  "nested": {"deep": {"deeper": {"value": 1}}}})";

struct World {
  cedar::Entities entities;
  cedar::Arena arena;
  cedar::Request request;
  cedar::SlotBindings slots;
};

World* make_world() {
  auto* world = new World;
  cedar::Result<cedar::Entities> entities = cedar::parse_entities_json(kEntities, nullptr, "fixed");
  world->entities = std::move(fuzz::must(entities, "entities"));
  world->request.principal = *cedar::EntityUid::make(world->arena, "User", "alice");
  world->request.action = *cedar::EntityUid::make(world->arena, "Action", "view");
  world->request.resource = *cedar::EntityUid::make(world->arena, "Photo", "p1");
  cedar::Result<nlohmann::json> context = cedar::parse_json(kContext, "context");
  cedar::Result<cedar::Value> value = cedar::parse_context_json(
      fuzz::must(context, "context"), world->arena, nullptr, &world->request.action, "context");
  world->request.context = fuzz::must(value, "context");
  world->slots.principal = cedar::ast::EntityRef{"User", "alice"};
  world->slots.resource = cedar::ast::EntityRef{"Album", "holiday"};
  return world;
}

const World& world() {
  static const World* w = make_world();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const World& w = world();
  cedar::parser::ParseOptions options;
  options.source_name = "fuzz.cedar";
  cedar::Result<std::vector<cedar::ast::Policy>> policies =
      cedar::parser::parse_policies(fuzz::as_text(data, size), options);
  if (!policies.ok()) return 0;

  std::vector<std::string> templates;
  for (const cedar::ast::Policy& policy : *policies) {
    std::string printed = cedar::ast::to_string(policy);
    (void)cedar::parser::parse_policy(printed);
    if (policy.is_template()) templates.push_back(policy.id);
  }

  cedar::PolicySet set;
  if (!set.add_all(std::move(*policies)).ok()) return 0;
  for (const std::string& id : templates) {
    // Bind only the slots the template has: link() refuses any other binding.
    const cedar::ast::Policy* source = set.find_template(id);
    if (source == nullptr) continue;
    cedar::SlotBindings slots;
    if (source->uses_slot(cedar::ast::SlotId::kPrincipal)) slots.principal = w.slots.principal;
    if (source->uses_slot(cedar::ast::SlotId::kResource)) slots.resource = w.slots.resource;
    (void)set.link(id, "link-" + id, slots);
  }
  cedar::Authorizer authorizer;
  cedar::Response response = authorizer.authorize(set, w.request, w.entities);
  (void)response;
  return 0;
}
