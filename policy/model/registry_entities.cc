#include "policy/model/registry_entities.h"

#include <set>
#include <vector>

#include "policy/cedar/entities/entities_json.h"
#include "policy/model/builtin_schema.h"

namespace crossgate::model {
namespace {

using cedar::EntityUid;
using cedar::RecordField;
using cedar::Value;

class Projector {
 public:
  explicit Projector(cedar::EntitiesBuilder& builder)
      : builder_(builder), arena_(builder.arena()) {}

  Value string(std::string_view text) { return Value::make_string(arena_, text); }

  Value string_set(const std::vector<std::string>& items) {
    std::vector<Value> values;
    for (const std::string& item : items)
      values.push_back(string(item));
    return Value::make_set(arena_, values);
  }

  Value entity(std::string_view type, std::string_view id) {
    return Value::entity(EntityUid::make(arena_, type, id));
  }

  cedar::Status add(std::string_view type, std::string_view id, std::vector<RecordField> attrs,
                    const std::vector<EntityUid>& parents) {
    Value record = Value::make_record(arena_, attrs);
    return builder_.add(EntityUid::view(type, id), record, parents);
  }

  // Group entities (applications, environments, ...) are defined once, without attributes.
  cedar::Status group(std::string_view type, const std::string& id) {
    if (id.empty() || !groups_.insert(std::string(type) + "\x1f" + id).second) return cedar::Ok{};
    return add(type, id, {}, {});
  }

 private:
  cedar::EntitiesBuilder& builder_;
  cedar::Arena& arena_;
  std::set<std::string> groups_;
};

}  // namespace

cedar::Result<cedar::Entities> project_registry(const registry::OwnerRegistry& registry,
                                                const cedar::Schema& schema) {
  cedar::EntitiesBuilder builder;
  Projector p(builder);
  cedar::Status status = cedar::Ok{};
  auto run = [&](cedar::Status s) {
    if (status.ok() && !s.ok()) status = std::move(s);
  };

  // Owners: those the registry describes, and any other a record names.
  std::set<std::string> owner_ids;
  for (const registry::Owner& o : registry.owners())
    owner_ids.insert(o.id);
  for (const registry::Workload& w : registry.workloads()) {
    if (!w.identity_owner.empty()) owner_ids.insert(w.identity_owner);
  }
  for (const registry::Account& a : registry.accounts()) {
    if (!a.platform_owner.empty()) owner_ids.insert(a.platform_owner);
  }
  for (const std::string& id : owner_ids) {
    const registry::Owner* owner = registry.find_owner(id);
    run(p.add(kOwner, id,
              {{"name", p.string(owner ? owner->name : "")},
               {"contact", p.string(owner ? owner->contact : "")}},
              {}));
  }

  for (const registry::Workload& w : registry.workloads()) {
    run(p.group(kApplication, w.application));
    run(p.group(kEnvironment, w.environment));
    run(p.group(kBusinessFunction, w.business_function));
    std::vector<RecordField> attrs = {
        {"application", p.string(w.application)},
        {"environment", p.string(w.environment)},
        {"businessFunction", p.string(w.business_function)},
        {"status", p.string(registry::status_name(w.status))},
        {"homeAccounts", p.string_set(w.home_accounts)},
        {"homeRegions", p.string_set(w.home_regions)},
    };
    std::vector<EntityUid> parents = {EntityUid::view(kApplication, w.application),
                                      EntityUid::view(kEnvironment, w.environment)};
    if (!w.business_function.empty()) {
      parents.push_back(EntityUid::view(kBusinessFunction, w.business_function));
    }
    if (!w.identity_owner.empty()) {
      attrs.push_back({"identityOwner", p.entity(kOwner, w.identity_owner)});
      parents.push_back(EntityUid::view(kOwner, w.identity_owner));
    }
    run(p.add(kWorkload, w.id, std::move(attrs), parents));
  }

  for (const registry::Account& a : registry.accounts()) {
    run(p.group(kOrgUnit, a.org_unit));
    std::vector<RecordField> attrs = {
        {"name", p.string(a.name)},
        {"environment", p.string(a.environment)},
        {"orgUnit", p.string(a.org_unit)},
        {"regions", p.string_set(a.regions)},
    };
    std::vector<EntityUid> parents;
    if (!a.org_unit.empty()) parents.push_back(EntityUid::view(kOrgUnit, a.org_unit));
    if (!a.platform_owner.empty()) {
      attrs.push_back({"platformOwner", p.entity(kOwner, a.platform_owner)});
      parents.push_back(EntityUid::view(kOwner, a.platform_owner));
    }
    run(p.add(kAccount, a.id, std::move(attrs), parents));
  }
  run(cedar::add_schema_actions(builder, schema));
  if (!status.ok()) return cedar::Error{"projecting the owner registry: " + status.message()};
  return std::move(builder).build();
}

}  // namespace crossgate::model
